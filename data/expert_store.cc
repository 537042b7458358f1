#include "data/expert_store.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/status.h"
#include "core/strings.h"
#include "data/demo_file.h"
#include "data/hdf5.h"

namespace irlab {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr size_t kChunkCacheBytes = 1 << 20;  // per dataset read (HDF5's default)
constexpr int kFieldsRead = 3;                // observations, actions, terminals
// HDF5's working buffers (metadata cache, filter output) and the reader
// thread's heap, measured at ~12 MiB on a 10M-transition file
constexpr int64_t kSlackBytes = 16 * kMiB;
constexpr int64_t kMinPoolRows = 1024;

// The selected steps of one kept episode: rows start + offset, + stride, ...
struct SelectedEpisode {
  int64_t episode;  // index in the file
  int64_t start, length, offset, stride;
  int64_t end() const { return start + length; }
  int64_t first() const { return start + offset; }
  int64_t count() const { return (length - offset + stride - 1) / stride; }
  // The first selected row at or after `row`.
  int64_t FirstAtOrAfter(int64_t row) const {
    if (row <= first()) return first();
    return first() + (row - first() + stride - 1) / stride * stride;
  }
};

// The number of selected rows in rows [begin, end) of the file.
int64_t SelectedRowsIn(const std::vector<SelectedEpisode>& episodes, int64_t begin, int64_t end) {
  auto it = std::upper_bound(episodes.begin(), episodes.end(), begin,
                             [](int64_t row, const SelectedEpisode& e) { return row < e.end(); });
  int64_t count = 0;
  for (; it != episodes.end() && it->start < end; ++it) {
    const int64_t first = it->FirstAtOrAfter(begin), stop = std::min(end, it->end());
    if (first < stop) count += (stop - first + it->stride - 1) / it->stride;
  }
  return count;
}

}  // namespace

// The stream: a background reader of shuffled blocks and the pool it feeds.
struct ExpertStore::Stream {
  std::unique_ptr<DemoFile> file;
  std::vector<SelectedEpisode> episodes;  // sorted by start
  std::vector<float> final_obs;           // [E, obs_dim] of the file's episodes
  std::vector<int64_t> blocks;            // first rows of the blocks holding selected rows
  std::vector<int64_t> block_sizes;       // the selected rows of each block (>= 1)
  int64_t rows_per_pass = 0;              // their sum: the rows of one pass over the blocks
  std::vector<float> boundaries;          // [blocks, obs_dim] obs of the row after each block
  int64_t block_rows = 0;
  uint64_t seed = 0;
  bool read_actions = true, read_next = true;

  Rows pool;                      // [capacity, ...] the shuffle pool
  int64_t write = 0;              // next pool row to replace (the oldest)
  double debt = 0.0;              // rows owed to the pool by the draws so far
  int64_t refilled = 0;           // rows replaced since the pool was first filled
  std::unique_ptr<Rows> current;  // block being moved into the pool
  int64_t current_pos = 0;

  // shared with the reader thread
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Rows>> ready;  // read blocks, in sequence order
  std::vector<std::unique_ptr<Rows>> spare;
  absl::Status error;
  bool stop = false;
  int prefetch = 2;
  int64_t blocks_read = 0;
  std::thread reader;

  // reader-thread state
  int64_t next_seq = 0;
  int64_t order_pass = -1;     // the pass `order` is of
  std::vector<int64_t> order;  // that pass's block order (indices into blocks)

  ~Stream() { StopReader(); }

  void StartReader() {
    stop = false;
    reader = std::thread([this] { Run(); });
  }
  void StopReader() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_all();
    if (reader.joinable()) reader.join();
  }

  // The order of the blocks in pass `pass`: fixed by the seed and the pass number.
  std::vector<int64_t> PassOrder(int64_t pass) const {
    const int64_t num_blocks = static_cast<int64_t>(blocks.size());
    std::vector<int64_t> pass_order(num_blocks);
    std::iota(pass_order.begin(), pass_order.end(), 0);
    Rng rng(Rng::DeriveSeed(Rng::DeriveSeed(seed, 3), static_cast<uint64_t>(pass)));
    for (int64_t i = num_blocks - 1; i > 0; --i) {
      std::swap(pass_order[i], pass_order[rng.UniformInt(static_cast<uint64_t>(i + 1))]);
    }
    return pass_order;
  }

  // Reads the block at position `seq` of the endless shuffled sequence.
  absl::Status ReadBlock(int64_t seq, Rows& out) {
    const int64_t num_blocks = static_cast<int64_t>(blocks.size());
    if (seq / num_blocks != order_pass) {
      order_pass = seq / num_blocks;
      order = PassOrder(order_pass);
    }
    const int64_t b = order[seq % num_blocks];
    const int64_t begin = blocks[b], n = file->num_transitions();
    const int64_t rows = std::min(block_rows, n - begin);
    const int64_t od = file->metadata().obs_dim;
    const float* boundary = begin + rows < n && read_next ? &boundaries[b * od] : nullptr;
    IRLAB_RETURN_IF_ERROR(
        ReadRange(*file, episodes, final_obs, begin, rows, read_actions, read_next, boundary, out));
    IRLAB_CHECK(out.size == block_sizes[b], "a block's selected rows miscounted");
    return absl::OkStatus();
  }

  // Restarts the stream at row `row` of its endless sequence (pass after
  // pass of rows_per_pass rows): the reader starts at the block holding that
  // row, so no block before it is read, and the rows before it in the block
  // are passed over. The next Refill continues from `row`.
  absl::Status SeekTo(int64_t row) {
    StopReader();
    const int64_t pass = row / rows_per_pass;
    int64_t skip = row % rows_per_pass, i = 0;
    const std::vector<int64_t> pass_order = PassOrder(pass);
    while (skip >= block_sizes[pass_order[i]]) skip -= block_sizes[pass_order[i++]];
    if (current) spare.push_back(std::move(current));
    for (auto& block : ready) spare.push_back(std::move(block));
    ready.clear();
    error = absl::OkStatus();
    next_seq = pass * static_cast<int64_t>(blocks.size()) + i;
    StartReader();
    IRLAB_RETURN_IF_ERROR(Advance());
    current_pos = skip;
    return absl::OkStatus();
  }

  // Reads rows [begin, begin + rows) and keeps the selected ones, in order.
  // Next observations come from the following row or, at an episode's end,
  // its final observation; `boundary` is the observation of row begin + rows
  // (nullptr: read it here).
  static absl::Status ReadRange(const DemoFile& file, const std::vector<SelectedEpisode>& episodes,
                                const std::vector<float>& final_obs, int64_t begin, int64_t rows,
                                bool read_actions, bool read_next, const float* boundary,
                                Rows& out) {
    const int64_t od = file.metadata().obs_dim, ad = file.metadata().act_dim;
    const int64_t end = begin + rows;
    const int64_t extra = read_next && boundary == nullptr && end < file.num_transitions() ? 1 : 0;
    out.obs.resize((rows + extra) * od);
    out.terminal.resize(rows);
    IRLAB_RETURN_IF_ERROR(
        file.Read(DemoField::kObservations, begin, rows + extra, std::span<float>(out.obs)));
    IRLAB_RETURN_IF_ERROR(
        file.Read(DemoField::kTerminals, begin, rows, std::span<uint8_t>(out.terminal)));
    if (read_actions) {
      out.act.resize(rows * ad);
      IRLAB_RETURN_IF_ERROR(file.Read(DemoField::kActions, begin, rows, std::span<float>(out.act)));
    }
    if (read_next) out.next_obs.resize(rows * od);
    if (extra) boundary = &out.obs[rows * od];
    // move the selected rows to the front: writes go to rows <= the one
    // read, so the following row's obs is still intact when needed
    auto it = std::upper_bound(episodes.begin(), episodes.end(), begin,
                               [](int64_t row, const SelectedEpisode& e) { return row < e.end(); });
    int64_t kept = 0;
    for (; it != episodes.end() && it->start < end; ++it) {
      for (int64_t r = it->FirstAtOrAfter(begin); r < std::min(end, it->end()); r += it->stride) {
        const int64_t src = r - begin;
        if (read_next) {
          const float* next = r == it->end() - 1 ? &final_obs[it->episode * od]
                              : src + 1 < rows   ? &out.obs[(src + 1) * od]
                                                 : boundary;
          std::memcpy(&out.next_obs[kept * od], next, od * sizeof(float));
        }
        if (src != kept) {
          std::memcpy(&out.obs[kept * od], &out.obs[src * od], od * sizeof(float));
          out.terminal[kept] = out.terminal[src];
          if (read_actions)
            std::memcpy(&out.act[kept * ad], &out.act[src * ad], ad * sizeof(float));
        }
        ++kept;
      }
    }
    out.size = kept;
    return absl::OkStatus();
  }

  void Run() {
    h5::SilenceErrors();
    while (true) {
      std::unique_ptr<Rows> block;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop || static_cast<int>(ready.size()) < prefetch; });
        if (stop) return;
        if (!spare.empty()) {
          block = std::move(spare.back());
          spare.pop_back();
        }
      }
      if (!block) block = std::make_unique<Rows>();
      absl::Status s = ReadBlock(next_seq, *block);
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!s.ok()) {
          error = s;
          cv.notify_all();
          return;
        }
        ready.push_back(std::move(block));
        ++next_seq;
        ++blocks_read;
      }
      cv.notify_all();
    }
  }

  // The next block of the sequence (waits for the reader).
  absl::Status Advance() {
    std::unique_lock<std::mutex> lock(mu);
    if (current) spare.push_back(std::move(current));
    cv.wait(lock, [&] { return !ready.empty() || !error.ok(); });
    if (ready.empty()) return error;
    current = std::move(ready.front());
    ready.pop_front();
    current_pos = 0;
    lock.unlock();
    cv.notify_all();
    return absl::OkStatus();
  }

  // Replaces the `n` oldest pool rows by the next rows of the stream.
  absl::Status Refill(int64_t n, int64_t od, int64_t ad) {
    const int64_t capacity = pool.size;
    while (n > 0) {
      if (!current || current_pos == current->size) IRLAB_RETURN_IF_ERROR(Advance());
      const int64_t take = std::min({n, current->size - current_pos, capacity - write});
      std::memcpy(&pool.obs[write * od], &current->obs[current_pos * od],
                  take * od * sizeof(float));
      std::memcpy(&pool.terminal[write], &current->terminal[current_pos], take);
      if (read_actions) {
        std::memcpy(&pool.act[write * ad], &current->act[current_pos * ad],
                    take * ad * sizeof(float));
      }
      if (read_next) {
        std::memcpy(&pool.next_obs[write * od], &current->next_obs[current_pos * od],
                    take * od * sizeof(float));
      }
      current_pos += take;
      write = (write + take) % capacity;
      n -= take;
    }
    return absl::OkStatus();
  }
};

ExpertStore::~ExpertStore() = default;

absl::StatusOr<std::unique_ptr<ExpertStore>> ExpertStore::Open(const fs::path& path,
                                                               const ExpertStoreConfig& config,
                                                               uint64_t seed, int expected_obs_dim,
                                                               int expected_act_dim) {
  DemoOpenOptions open_options;
  open_options.expected_obs_dim = expected_obs_dim;
  open_options.expected_act_dim = expected_act_dim;
  open_options.chunk_cache_bytes = kChunkCacheBytes;
  IRLAB_ASSIGN_OR_RETURN(std::unique_ptr<DemoFile> file, DemoFile::Open(path, open_options));
  std::unique_ptr<ExpertStore> store(new ExpertStore());
  store->metadata_ = file->metadata();
  store->config_ = config;
  store->draw_rng_.Seed(Rng::DeriveSeed(seed, 4));
  const EpisodeTable& table = file->episodes();
  const int64_t num_episodes = table.size();

  // which episodes
  if (config.num_trajectories > num_episodes) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": num_trajectories is ",
                                             config.num_trajectories, " but the file has ",
                                             num_episodes, " episodes"));
  }
  const int64_t keep = config.num_trajectories > 0 ? config.num_trajectories : num_episodes;
  std::vector<int64_t>& kept = store->episode_indices_;
  kept.resize(num_episodes);
  std::iota(kept.begin(), kept.end(), 0);
  if (config.subset == "random") {
    Rng rng(Rng::DeriveSeed(seed, 1));
    for (int64_t i = 0; i < keep; ++i) {
      std::swap(kept[i], kept[i + rng.UniformInt(static_cast<uint64_t>(num_episodes - i))]);
    }
  } else if (config.subset != "first") {
    return absl::InvalidArgumentError(StrCat("expert store: unknown subset '", config.subset, "'"));
  }
  kept.resize(keep);
  std::sort(kept.begin(), kept.end());

  // which steps of them
  Rng offset_rng(Rng::DeriveSeed(seed, 2));
  const int64_t stride = std::max(1, config.subsample);
  std::vector<SelectedEpisode> selected;
  for (int64_t e : kept) {
    const int64_t length = table.length[e];
    const int64_t offset =
        stride > 1 ? static_cast<int64_t>(offset_rng.UniformInt(std::min(stride, length))) : 0;
    selected.push_back({e, table.start[e], length, offset, stride});
    store->selected_rows_ += selected.back().count();
    store->mean_return_ += table.ret[e] / keep;
  }
  for (int64_t e : kept) {
    store->std_return_ +=
        (table.ret[e] - store->mean_return_) * (table.ret[e] - store->mean_return_) / keep;
  }
  store->std_return_ = std::sqrt(store->std_return_);

  // memory sizes
  const int64_t od = store->obs_dim(), ad = store->act_dim();
  const bool read_actions = !config.state_only, read_next = config.next_observations;
  const int64_t row_bytes = 4 * od + (read_actions ? 4 * ad : 0) + (read_next ? 4 * od : 0) + 1;
  const int64_t budget = config.memory_mib * kMiB;
  // a block spans whole chunks of every dataset read, unless that is too big
  int64_t block_rows = std::max<int64_t>(1, file->chunk_rows(DemoField::kObservations));
  for (DemoField f : {DemoField::kActions, DemoField::kTerminals}) {
    block_rows = std::max(block_rows, file->chunk_rows(f));
  }
  if (block_rows <= 1) block_rows = h5::kBlockRows;  // not chunked: read in moderate pieces
  while (block_rows > 64 && block_rows * row_bytes > budget / 16) block_rows /= 2;
  const int64_t block_bytes = block_rows * row_bytes;

  std::vector<float> final_obs;
  if (read_next) {
    final_obs.resize(num_episodes * od);
    IRLAB_RETURN_IF_ERROR(file->ReadFinalObservations(final_obs));
  }

  // the blocks that hold at least one selected row
  const int64_t n = file->num_transitions();
  std::vector<char> used((n + block_rows - 1) / block_rows, 0);
  for (const SelectedEpisode& e : selected) {
    for (int64_t b = e.first() / block_rows; b * block_rows < e.end(); ++b) {
      if (e.FirstAtOrAfter(b * block_rows) < std::min(e.end(), (b + 1) * block_rows)) used[b] = 1;
    }
  }

  const bool fits = store->selected_rows_ * row_bytes + block_bytes <= budget;
  const bool memory = config.mode == "memory" || (config.mode == "auto" && fits);
  if (memory) {
    // read every selected row, block by block, in file order
    Rows& rows = store->memory_;
    rows.obs.reserve(store->selected_rows_ * od);
    rows.terminal.reserve(store->selected_rows_);
    if (read_actions) rows.act.reserve(store->selected_rows_ * ad);
    if (read_next) rows.next_obs.reserve(store->selected_rows_ * od);
    Rows block;
    for (int64_t begin = 0; begin < n; begin += block_rows) {
      if (!used[begin / block_rows]) continue;
      IRLAB_RETURN_IF_ERROR(Stream::ReadRange(*file, selected, final_obs, begin,
                                              std::min(block_rows, n - begin), read_actions,
                                              read_next, nullptr, block));
      rows.obs.insert(rows.obs.end(), block.obs.begin(), block.obs.begin() + block.size * od);
      rows.terminal.insert(rows.terminal.end(), block.terminal.begin(),
                           block.terminal.begin() + block.size);
      if (read_actions)
        rows.act.insert(rows.act.end(), block.act.begin(), block.act.begin() + block.size * ad);
      if (read_next) {
        rows.next_obs.insert(rows.next_obs.end(), block.next_obs.begin(),
                             block.next_obs.begin() + block.size * od);
      }
      rows.size += block.size;
    }
    IRLAB_CHECK(rows.size == store->selected_rows_, "selected rows miscounted");
    store->buffer_bytes_ = rows.size * row_bytes;
    return store;
  }

  // stream: the pool gets what the blocks and HDF5's caches leave of the budget
  const int64_t fixed =
      (config.prefetch_blocks + 2) * block_bytes + kFieldsRead * kChunkCacheBytes + kSlackBytes;
  const int64_t capacity = std::min((budget - fixed) / row_bytes, store->selected_rows_);
  if (capacity < std::min(kMinPoolRows, store->selected_rows_)) {
    return absl::InvalidArgumentError(StrCat(
        path.string(), ": memory_mib ", config.memory_mib, " is too small to stream this file (",
        block_bytes / kMiB, " MiB blocks); raise it to at least ",
        (fixed + kMinPoolRows * row_bytes) / kMiB + 1));
  }
  auto stream = std::make_unique<Stream>();
  stream->file = std::move(file);
  stream->episodes = std::move(selected);
  stream->final_obs = std::move(final_obs);
  stream->block_rows = block_rows;
  stream->seed = seed;
  stream->read_actions = read_actions;
  stream->read_next = read_next;
  stream->prefetch = config.prefetch_blocks;
  for (size_t b = 0; b < used.size(); ++b) {
    if (!used[b]) continue;
    const int64_t begin = static_cast<int64_t>(b) * block_rows;
    stream->blocks.push_back(begin);
    stream->block_sizes.push_back(
        SelectedRowsIn(stream->episodes, begin, std::min(begin + block_rows, n)));
    stream->rows_per_pass += stream->block_sizes.back();
  }
  if (read_next) {
    // the first obs after each block, for its last row's next obs
    stream->boundaries.resize(stream->blocks.size() * od);
    for (size_t b = 0; b < stream->blocks.size(); ++b) {
      const int64_t after = stream->blocks[b] + block_rows;
      if (after >= n) continue;
      IRLAB_RETURN_IF_ERROR(stream->file->Read(DemoField::kObservations, after, 1,
                                               std::span<float>(&stream->boundaries[b * od], od)));
    }
  }
  Rows& pool = stream->pool;
  pool.size = capacity;
  pool.obs.resize(capacity * od);
  pool.terminal.resize(capacity);
  if (read_actions) pool.act.resize(capacity * ad);
  if (read_next) pool.next_obs.resize(capacity * od);
  stream->StartReader();
  IRLAB_RETURN_IF_ERROR(stream->Refill(capacity, od, ad));  // fill the pool once
  store->stream_ = std::move(stream);
  store->streaming_ = true;
  store->buffer_bytes_ = capacity * row_bytes + (config.prefetch_blocks + 2) * block_bytes;
  return store;
}

void ExpertStore::Gather(const Rows& rows, int batch_size, float* obs, float* act, float* next_obs,
                         uint8_t* terminal) {
  const size_t od = obs_dim(), ad = act_dim();
  for (int i = 0; i < batch_size; ++i) {
    const int64_t r = static_cast<int64_t>(draw_rng_.UniformInt(static_cast<uint64_t>(rows.size)));
    std::memcpy(obs + i * od, &rows.obs[r * od], od * sizeof(float));
    if (act != nullptr) std::memcpy(act + i * ad, &rows.act[r * ad], ad * sizeof(float));
    if (next_obs != nullptr)
      std::memcpy(next_obs + i * od, &rows.next_obs[r * od], od * sizeof(float));
    if (terminal != nullptr) terminal[i] = rows.terminal[r];
  }
}

absl::Status ExpertStore::Sample(int batch_size, float* obs, float* act, float* next_obs,
                                 uint8_t* terminal) {
  IRLAB_CHECK(batch_size >= 0 && obs != nullptr, "Sample needs a batch size and obs");
  IRLAB_CHECK(act == nullptr || !config_.state_only, "actions asked of a state_only store");
  IRLAB_CHECK(next_obs == nullptr || config_.next_observations,
              "next observations asked of a store without them");
  ++batches_;
  if (!streaming_) {
    Gather(memory_, batch_size, obs, act, next_obs, terminal);
    return absl::OkStatus();
  }
  Gather(stream_->pool, batch_size, obs, act, next_obs, terminal);
  // then replace the oldest pooled rows, batch_size / reuse of them
  stream_->debt += batch_size / config_.reuse;
  const auto owed = static_cast<int64_t>(stream_->debt);
  stream_->debt -= static_cast<double>(owed);
  stream_->refilled += owed;
  return stream_->Refill(owed, obs_dim(), act_dim());
}

ExpertStore::DrawState ExpertStore::draw_state() const {
  DrawState state{.rng = draw_rng_.state(), .batches = batches_};
  if (streaming_) {
    state.rows_refilled = stream_->refilled;
    state.debt = stream_->debt;
  }
  return state;
}

absl::Status ExpertStore::RestoreDrawState(const DrawState& state) {
  IRLAB_CHECK(batches_ == 0, "RestoreDrawState on a store that has drawn already");
  if (state.batches < 0 || state.rows_refilled < 0 || !(state.debt >= 0 && state.debt < 1)) {
    return absl::InvalidArgumentError(StrCat("expert store: impossible draw state (batches ",
                                             state.batches, ", rows refilled ", state.rows_refilled,
                                             ", debt ", state.debt, ")"));
  }
  draw_rng_.set_state(state.rng);
  batches_ = state.batches;
  if (!streaming_ || stream_->pool.size == 0) return absl::OkStatus();
  // The pool as the draws left it: since Open, capacity + R rows of the
  // stream went into it in turn, row k at pool row k % capacity, so it holds
  // rows [R, R + capacity). Those are read again, from the block holding row
  // R on: none of the R rows before is read.
  Stream& stream = *stream_;
  stream.debt = state.debt;
  stream.refilled = state.rows_refilled;
  IRLAB_RETURN_IF_ERROR(stream.SeekTo(state.rows_refilled));
  stream.write = state.rows_refilled % stream.pool.size;
  return stream.Refill(stream.pool.size, obs_dim(), act_dim());
}

int64_t ExpertStore::blocks_read() const {
  if (!streaming_) return 0;
  std::lock_guard<std::mutex> lock(stream_->mu);
  return stream_->blocks_read;
}

absl::Status ExpertStore::Skip(int64_t batches, int batch_size) {
  std::vector<float> obs(size_t(batch_size) * obs_dim()), act(size_t(batch_size) * act_dim()),
      next_obs(size_t(batch_size) * obs_dim());
  std::vector<uint8_t> terminal(batch_size);
  for (int64_t k = 0; k < batches; ++k) {
    IRLAB_RETURN_IF_ERROR(Sample(batch_size, obs.data(), config_.state_only ? nullptr : act.data(),
                                 config_.next_observations ? next_obs.data() : nullptr,
                                 terminal.data()));
  }
  return absl::OkStatus();
}

}  // namespace irlab
