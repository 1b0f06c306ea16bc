// AVX2 kernels (see kernels_avx2.hpp): compiled for AVX2 function by function, called only when
// the CPU has it.
#include "kernels_avx2.hpp"

#include "cvb_frontend.h"

#include <atomic>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace cvb {

namespace {
std::atomic<bool> avx2Allowed{true};
}

bool hasAVX2() {
    static const bool has = __builtin_cpu_supports("avx2");
    return has && avx2Allowed.load(std::memory_order_relaxed);
}

void allowAVX2(bool allowed) { avx2Allowed.store(allowed, std::memory_order_relaxed); }

namespace {

#define CVB_AVX2 __attribute__((target("avx2")))

/// acc += (pairs − a)² summed over each 16-bit pair.
CVB_AVX2 inline __m256i addSquares(__m256i acc, __m256i pairs, __m256i ap) {
    const __m256i d = _mm256_sub_epi16(pairs, ap);
    return _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));
}

/// Costs of columns j … j+15.
CVB_AVX2 void ssdBlock(const uint8_t *const *ra, const uint8_t *const *rb, int r, int j, int32_t *out) {
    // Lanes hold columns j…j+3 | j+8…j+11 (lo) and j+4…j+7 | j+12…j+15 (hi): AVX2 unpacks work
    // within 128-bit halves.
    const __m256i zero = _mm256_setzero_si256();
    __m256i lo = zero, hi = zero;
    for (int k = 0; k < 2 * r + 1; ++k) {
        const uint8_t *pa = ra[k], *pb = rb[k] + j;
        int dx = -r;
        for (; dx < r; dx += 2) {
            const __m256i b0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(pb + dx)));
            const __m256i b1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(pb + dx + 1)));
            const __m256i ap = _mm256_set1_epi32(int(pa[dx]) | (int(pa[dx + 1]) << 16));
            lo = addSquares(lo, _mm256_unpacklo_epi16(b0, b1), ap);
            hi = addSquares(hi, _mm256_unpackhi_epi16(b0, b1), ap);
        }
        if (dx == r) {   // the last column of an odd-width window, paired with zeros
            const __m256i b0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(pb + dx)));
            const __m256i ap = _mm256_set1_epi32(int(pa[dx]));
            lo = addSquares(lo, _mm256_unpacklo_epi16(b0, zero), ap);
            hi = addSquares(hi, _mm256_unpackhi_epi16(b0, zero), ap);
        }
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + j), _mm256_permute2x128_si256(lo, hi, 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + j + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
}

} // namespace

void ssdColumnsAVX2(const uint8_t *const *ra, const uint8_t *const *rb, int r, int count, int32_t *out) {
    int j = 0;
    for (; j + 16 <= count; j += 16) ssdBlock(ra, rb, r, j, out);
    if (j < count) ssdBlock(ra, rb, r, count - 16, out);   // the tail, overlapping the last full block
}

CVB_AVX2 void bilinearAVX2(const float *const *src, int images, size_t stride, size_t origin, int width,
                                                   const float weights[4], float *const *dst) {
    const __m256 v00 = _mm256_set1_ps(weights[0]), v01 = _mm256_set1_ps(weights[1]);
    const __m256 v10 = _mm256_set1_ps(weights[2]), v11 = _mm256_set1_ps(weights[3]);
    for (int k = 0; k < images; ++k) {
        for (int r = 0; r < width; ++r) {
            const float *r0 = src[k] + origin + size_t(r) * stride, *r1 = r0 + stride;
            float *o = dst[k] + r * width;
            for (int c = 0;; c += 8) {
                if (c + 8 > width) c = width - 8;   // the last vector overlaps
                // Separate multiplies and adds in this order (no FMA): the SSE2 path's exact sums.
                __m256 v = _mm256_mul_ps(v00, _mm256_loadu_ps(r0 + c));
                v = _mm256_add_ps(v, _mm256_mul_ps(v01, _mm256_loadu_ps(r0 + c + 1)));
                v = _mm256_add_ps(v, _mm256_mul_ps(v10, _mm256_loadu_ps(r1 + c)));
                v = _mm256_add_ps(v, _mm256_mul_ps(v11, _mm256_loadu_ps(r1 + c + 1)));
                _mm256_storeu_ps(o + c, v);
                if (c + 8 >= width) break;
            }
        }
    }
}

} // namespace cvb

#else

namespace cvb {
bool hasAVX2() { return false; }
void allowAVX2(bool) {}
void ssdColumnsAVX2(const uint8_t *const *, const uint8_t *const *, int, int, int32_t *) {}
void bilinearAVX2(const float *const *, int, size_t, size_t, int, const float[4], float *const *) {}
} // namespace cvb

#endif

extern "C" void cvb_allow_avx2(int allowed) { cvb::allowAVX2(allowed != 0); }

extern "C" int cvb_cpu_has_avx2(void) {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}
