// AVX2 versions of the front end's two innermost kernels, chosen at run time (the x86-64
// baseline the package is compiled for has SSE2 only; no compiler flags needed). Each gives
// exactly the results of its SSE2 counterpart.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cvb {

/// True when the CPU executes AVX2 (checked once) and allowAVX2 has not turned it off.
bool hasAVX2();

/// Allows (the default) or forbids the AVX2 kernels, process-wide (cvb_allow_avx2).
void allowAVX2(bool allowed);

/// ssdColumns (frontend_stereo.hpp) for count ≥ 16, 16 columns per 256-bit block.
void ssdColumnsAVX2(const uint8_t *const *ra, const uint8_t *const *rb, int r, int count, int32_t *out);

/// PyramidLK's bilinear window sampling (frontend_lk.hpp) of `images` windows of `width` ≥ 8
/// columns and rows, 8 columns at a time: out = ((w00·a + w01·b) + w10·c) + w11·d, as there.
void bilinearAVX2(const float *const *src, int images, size_t stride, size_t origin, int width, const float weights[4],
                  float *const *dst);

} // namespace cvb
