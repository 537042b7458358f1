# Writes OUT: a C++ file defining `std::string_view irlab::NAME()` that returns
# the text of IN, so the irlab binary carries a default config with it.
# Usage: cmake -DIN=file -DOUT=file.cc -DNAME=Function -P embed_text.cmake
file(READ "${IN}" text)
get_filename_component(in_name "${IN}" NAME)
set(body "// Generated from ${in_name} by tools/embed_text.cmake. Do not edit.\n")
string(APPEND body "#include <string_view>\n\nnamespace irlab {\n\n")
string(APPEND body "std::string_view ${NAME}() {\n  return R\"irlab_text(${text})irlab_text\";\n}\n\n")
string(APPEND body "}  // namespace irlab\n")
file(WRITE "${OUT}.new" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.new" "${OUT}")
