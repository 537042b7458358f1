#!/bin/sh
# Runs a test binary under a virtual X server (the viewer needs a display).
# Exit 77 tells ctest the test was skipped when xvfb-run is not installed.
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "viewer tests skipped: xvfb-run not found (Debian package xvfb; tools/setup.sh installs it)"
  exit 77
fi
exec xvfb-run -a -s "-screen 0 1280x1024x24" "$@"
