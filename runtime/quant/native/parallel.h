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

template <typename F>
void parallel_rows(int64_t rows, int64_t chunk, int threads, const F& body) {
  if (threads <= 1) {
    body(0, rows);
    return;
  }
  std::atomic<int64_t> next{0};
#pragma omp parallel num_threads(threads)
  for (int64_t begin = next.fetch_add(chunk); begin < rows; begin = next.fetch_add(chunk))
    body(begin, std::min(rows, begin + chunk));
}

}  // namespace octet
