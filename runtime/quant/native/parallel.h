// Work split across threads (OpenMP: torch's own libgomp, same soname, is already loaded).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>

namespace octet {

// Rows handed out in chunks from a shared counter rather than split evenly up front: on a machine
// shared with other work, a thread that is descheduled for a while no longer holds up the rest.
// Work under this many weights runs on the calling thread alone: waking a second thread costs more than
// it saves (and on a busy machine it may not be scheduled for a while).
constexpr int64_t SERIAL_WEIGHTS = 1 << 18;

inline int threads_for(int64_t weights, int threads) { return weights < SERIAL_WEIGHTS ? 1 : threads; }

// Rows a thread takes from the counter at a time: about 256 KiB of weights (16 to 256 rows). Each grab is an
// atomic on a line the cores pass back and forth (a few hundred ns), and each restarts the hardware
// prefetcher's stream: 16-row grabs of a Mixtral expert (2.3 KiB rows) made 3,584 of them per MoE step.
inline int64_t rows_per_grab(int64_t row_bytes) {
  return std::clamp<int64_t>((int64_t{256} << 10) / std::max<int64_t>(row_bytes, 1), 16, 256);
}

template <typename F>
void parallel_rows(int64_t rows, int64_t chunk, int threads, const F& body) {
  if (threads <= 1) {
    body(0, rows);
    return;
  }
  chunk = std::min(chunk, std::max<int64_t>(16, rows / (4 * threads)));  // a small matrix: 4+ grabs a thread
  std::atomic<int64_t> next{0};
#pragma omp parallel num_threads(threads)
  for (int64_t begin = next.fetch_add(chunk); begin < rows; begin = next.fetch_add(chunk))
    body(begin, std::min(rows, begin + chunk));
}

}  // namespace octet
