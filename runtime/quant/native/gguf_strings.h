// A GGUF header's array of strings cut out in one pass: each string a little-endian uint64 length, then
// its bytes. The header's reader (runtime/weights/string_arrays.py) decodes the joined bytes in one go; a
// Python loop over the lengths took 15 ms of the starter's load for each of its two 49K-string arrays.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace octet {

// The array of `count` strings at data[0, size). Returns its size in bytes, or -1 where a length runs
// past `size`; *longest: its longest string's length. Where `joined` is not null, also writes the strings
// there joined by NUL bytes (returned size - 7 count - 1 bytes).
inline int64_t gguf_strings(const uint8_t* data, int64_t size, int64_t count, uint8_t* joined, int64_t* longest) {
  const uint64_t end = (uint64_t)size;
  uint64_t pos = 0, most = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (end - pos < 8) return -1;
    uint64_t length;
    std::memcpy(&length, data + pos, 8);  // little-endian: every CPU the library is built for
    pos += 8;
    if (length > end - pos) return -1;
    if (joined) {
      if (i) *joined++ = 0;
      std::memcpy(joined, data + pos, length);
      joined += length;
    }
    most = std::max(most, length);
    pos += length;
  }
  *longest = (int64_t)most;
  return (int64_t)pos;
}

}  // namespace octet
