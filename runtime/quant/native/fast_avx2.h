// AVX2 fused row kernels (see fast.h): FastRow<TYPE> specializations.
#pragma once
#include <immintrin.h>

#include "fast.h"

namespace octet {}  // namespace octet
