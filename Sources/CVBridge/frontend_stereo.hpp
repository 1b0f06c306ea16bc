// Row-wise stereo matching of single keypoints on rectified images (internal to the bridge).
//
// For a left keypoint at integer (x0, y0) the zero-mean SSD cost of the (2r+1)² window against
// the right image is computed for every right column j = x0 − δ, δ ∈ [0, maxD], 16 columns at a
// time in SSE2 registers (ssdColumns, then the mean difference removed: real cameras differ in
// gain and exposure, and plain SSD then prefers the wrong window). Sub-pixel disparity from a
// parabola through the minimum and its neighbours; variance 2σ_n²/c'' with σ_n² = c(δ0)/(N−1)
// (METHOD.md §2); ambiguity test against the best cost outside the minimum's basin; left–right
// check by the same search from the right image back into the left one; optionally an edge check
// with half-size windows beside the centre (subWindowsAgree). Across a frame's matches,
// refuseUnsupported drops the disparities that no nearby match supports.
#pragma once

#include "kernels_avx2.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cvb {

struct StereoResult {
    bool valid = false;
    float disparity = 0, variance = 0, residual = 0;
};

/// out[j] = Σ_k Σ_dx (ra[k][dx] − rb[k][j + dx])², dx ∈ [−r, r], for j ∈ [0, count): the SSD of
/// one window of image a against `count` consecutive windows of image b (row pointers per window
/// row). Reads rb[k][−r … count − 1 + r] only. SSE2 (x86-64 baseline): 16 columns at a time, two
/// window columns per multiply-add (AVX2 when the CPU has it); a scalar loop elsewhere and for
/// short ranges.
inline void ssdColumns(const uint8_t *const *ra, const uint8_t *const *rb, int r, int count, int32_t *out) {
    const int rows = 2 * r + 1;
    if (count >= 16 && hasAVX2()) { ssdColumnsAVX2(ra, rb, r, count, out); return; }
#if defined(__SSE2__)
    if (count >= 16) {
        const __m128i zero = _mm_setzero_si128();
        auto block = [&](int j) {
            __m128i s0 = zero, s1 = zero, s2 = zero, s3 = zero;
            // s_i += Σ (w_i − a)² per 32-bit lane: 16-bit pairs (b, b') − (a, a'), squared and summed.
            auto add = [&](__m128i w0, __m128i w1, __m128i w2, __m128i w3, __m128i ap) {
                __m128i d = _mm_sub_epi16(w0, ap);
                s0 = _mm_add_epi32(s0, _mm_madd_epi16(d, d));
                d = _mm_sub_epi16(w1, ap);
                s1 = _mm_add_epi32(s1, _mm_madd_epi16(d, d));
                d = _mm_sub_epi16(w2, ap);
                s2 = _mm_add_epi32(s2, _mm_madd_epi16(d, d));
                d = _mm_sub_epi16(w3, ap);
                s3 = _mm_add_epi32(s3, _mm_madd_epi16(d, d));
            };
            for (int k = 0; k < rows; ++k) {
                const uint8_t *pa = ra[k], *pb = rb[k] + j;
                int dx = -r;
                for (; dx < r; dx += 2) {
                    // Interleave columns dx and dx + 1: each 32-bit lane holds one window position's pair.
                    const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(pb + dx));
                    const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(pb + dx + 1));
                    const __m128i ap = _mm_set1_epi32(int(pa[dx]) | (int(pa[dx + 1]) << 16));
                    const __m128i lo = _mm_unpacklo_epi8(b0, b1), hi = _mm_unpackhi_epi8(b0, b1);
                    add(_mm_unpacklo_epi8(lo, zero), _mm_unpackhi_epi8(lo, zero), _mm_unpacklo_epi8(hi, zero),
                        _mm_unpackhi_epi8(hi, zero), ap);
                }
                if (dx == r) {   // the last column of an odd-width window, paired with zeros
                    const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(pb + dx));
                    const __m128i ap = _mm_set1_epi32(int(pa[dx]));
                    const __m128i w0 = _mm_unpacklo_epi8(b0, zero), w1 = _mm_unpackhi_epi8(b0, zero);
                    add(_mm_unpacklo_epi16(w0, zero), _mm_unpackhi_epi16(w0, zero), _mm_unpacklo_epi16(w1, zero),
                        _mm_unpackhi_epi16(w1, zero), ap);
                }
            }
            __m128i *o = reinterpret_cast<__m128i *>(out + j);
            _mm_storeu_si128(o, s0); _mm_storeu_si128(o + 1, s1); _mm_storeu_si128(o + 2, s2); _mm_storeu_si128(o + 3, s3);
        };
        int j = 0;
        for (; j + 16 <= count; j += 16) block(j);
        if (j < count) block(count - 16);   // the tail, overlapping the last full block
        return;
    }
#endif
    std::fill(out, out + count, 0);
    for (int k = 0; k < rows; ++k) {
        for (int dx = -r; dx <= r; ++dx) {
            const int av = ra[k][dx];
            const uint8_t *pb = rb[k] + dx;
            for (int j = 0; j < count; ++j) {
                const int diff = av - int(pb[j]);
                out[j] += diff * diff;
            }
        }
    }
}

class StereoMatcher {
public:
    StereoMatcher(const cv::Mat &left, const cv::Mat &right, int radius, int maxDisparity, float ambiguity, float lrTolerance,
                  bool edgeCheck)
        : L(left), R(right), r(radius), maxD(maxDisparity), ratio(ambiguity), lrTol(lrTolerance), edges(edgeCheck) {
        cost.resize(size_t(maxD) + 3);
        side.resize(size_t(maxD + radius) + 3);
    }

    StereoResult match(float u, float v) {
        StereoResult res;
        const int x0 = int(std::lround(u)), y0 = int(std::lround(v));
        if (y0 < r || y0 >= L.rows - r || x0 < r || x0 >= L.cols - r) return res;
        // Forward search: left patch at x0 against right columns x0 − δ.
        const int dMax = std::min(maxD, x0 - r);
        if (dMax < 2) return res;
        ssd(L, R, x0, y0, x0 - dMax, x0, -1, r, cost);
        int best = 0;
        for (int d = 1; d <= dMax; ++d) if (cost[d] < cost[best]) best = d;
        if (best == 0 || best == dMax) return res;               // minimum on the search boundary
        // Ambiguity: best must clearly beat every cost outside its own basin.
        int lo = best, hi = best;
        while (lo > 0 && cost[lo - 1] >= cost[lo]) --lo;
        while (hi < dMax && cost[hi + 1] >= cost[hi]) ++hi;
        int64_t second = std::numeric_limits<int64_t>::max();   // none: no cost reaches it
        for (int d = 0; d <= dMax; ++d) if ((d < lo || d > hi) && cost[d] < second) second = cost[d];
        const int n = (2 * r + 1) * (2 * r + 1);
        if (second != std::numeric_limits<int64_t>::max() && double(cost[best]) > ratio * double(second)) return res;
        // cost holds N × zero-mean SSD: back to SSD units for the noise model.
        const double c0 = double(cost[best]) / n, cm = double(cost[best - 1]) / n, cp = double(cost[best + 1]) / n;
        const double curv = cm - 2 * c0 + cp;                     // c''
        if (!(curv > 0)) return res;
        const double offset = (cm - cp) / (2 * curv);             // −c'/c'' with c' = (cp − cm)/2
        const double disparity = best + offset;
        const double s2 = std::max(c0, 1.0) / double(n - 1);
        double variance = 2 * s2 / curv;
        // Left–right consistency: search from the right match back along the left row.
        const int xr = x0 - best;
        const int dBack = std::min(maxD, L.cols - 1 - r - xr);
        if (dBack < best + 1) return res;
        ssd(R, L, xr, y0, xr, xr + dBack, +1, r, cost);
        int back = 0;
        for (int d = 1; d <= dBack; ++d) if (cost[d] < cost[back]) back = d;
        double backDisparity = back;
        if (back > 0 && back < dBack) {
            const double bm = double(cost[back - 1]), b0 = double(cost[back]), bp = double(cost[back + 1]);
            const double bc = bm - 2 * b0 + bp;
            if (bc > 0) backDisparity += (bm - bp) / (2 * bc);
        }
        const double lr = std::abs(backDisparity - disparity);
        if (!(lr <= lrTol)) return res;
        if (edges && !subWindowsAgree(x0, y0, best)) return res;
        variance += lr * lr;
        if (!std::isfinite(variance) || !std::isfinite(disparity)) return res;
        res.valid = true;
        res.disparity = float(disparity);
        res.variance = float(variance);
        res.residual = float(s2);
        return res;
    }

private:
    /// into[δ] = N × zero-mean SSD between the (2·radius+1)² window of `a` at (xa, y) and the
    /// window of `b` at column xa + sign·δ, for the columns jLo…jHi of `b` (sign −1: right image,
    /// sign +1: left image).
    void ssd(const cv::Mat &a, const cv::Mat &b, int xa, int y, int jLo, int jHi, int sign, int radius, std::vector<int64_t> &into) {
        const int count = jHi - jLo + 1;
        col.resize(size_t(count));
        const uint8_t *ra[maxRows], *rb[maxRows];
        for (int k = 0; k < 2 * radius + 1; ++k) {
            ra[k] = a.ptr<uint8_t>(y - radius + k) + xa;
            rb[k] = b.ptr<uint8_t>(y - radius + k) + jLo;
        }
        ssdColumns(ra, rb, radius, count, col.data());
        zeroMean(ra, rb, radius, count);
        // Map column index to disparity δ.
        if (sign < 0) {
            for (int j = 0; j < count; ++j) into[size_t(xa - jLo - j)] = zcol[size_t(j)];
        } else {
            std::copy(zcol.begin(), zcol.end(), into.begin() + (jLo - xa));
        }
    }

    /// zcol[j] = N·col[j] − (ΣA − ΣB_j)², N times the SSD of the windows with their means removed
    /// (exact in integers). ΣB_j slides along the row from column sums of b.
    void zeroMean(const uint8_t *const *ra, const uint8_t *const *rb, int radius, int count) {
        const int rows = 2 * radius + 1, n = rows * rows;
        int64_t sa = 0;
        for (int k = 0; k < rows; ++k)
            for (int dx = -radius; dx <= radius; ++dx) sa += ra[k][dx];
        const int width = count + 2 * radius;
        colSum.assign(size_t(width), 0);
        int32_t *__restrict sums = colSum.data();
        for (int k = 0; k < rows; ++k) {
            const uint8_t *__restrict pb = rb[k] - radius;
            for (int j = 0; j < width; ++j) sums[j] += pb[j];
        }
        int64_t sb = 0;
        for (int j = 0; j < rows; ++j) sb += colSum[size_t(j)];
        zcol.resize(size_t(count));
        for (int j = 0; j < count; ++j) {
            if (j > 0) sb += colSum[size_t(j + rows - 1)] - colSum[size_t(j - 1)];
            const int64_t dm = sa - sb;
            zcol[size_t(j)] = int64_t(n) * col[size_t(j)] - dm * dm;
        }
    }

    /// Edge check: windows of half the size centred half a window left and right of the keypoint
    /// must each find their zero-mean SSD minimum within 1 px of `best` (searching ±r around it).
    /// A window straddling a depth edge matches its textured side (foreground fattening); the
    /// side of the edge that sees the other depth then disagrees. Occlusions run along the rows,
    /// so only horizontal neighbours are asked.
    bool subWindowsAgree(int x0, int y0, int best) {
        const int sr = std::max(1, r / 2), lo = std::max(0, best - r), hi = best + r;
        for (const int shift : {-sr, sr}) {
            const int xc = x0 + shift;
            if (xc + sr >= L.cols || xc - hi - sr < 0) return false;
            ssd(L, R, xc, y0, xc - hi, xc - lo, -1, sr, side);
            int bestD = lo;
            for (int d = lo + 1; d <= hi; ++d) if (side[size_t(d)] < side[size_t(bestD)]) bestD = d;
            if (std::abs(bestD - best) > 1) return false;
        }
        return true;
    }

    static constexpr int maxRows = 2 * 15 + 1;

    const cv::Mat &L, &R;
    int r, maxD;
    float ratio, lrTol;
    bool edges;
    std::vector<int64_t> cost, side, zcol;   // full-window costs, the edge check's, one row's
    std::vector<int32_t> col, colSum;
};

/// A stereo match near another, for `refuseUnsupported`: distance, disparity, offset (du, dv).
struct SupportNeighbour {
    double distance;
    float disparity;
    double du, dv;
    bool operator<(const SupportNeighbour &o) const {
        if (distance != o.distance) return distance < o.distance;
        if (disparity != o.disparity) return disparity < o.disparity;
        return du != o.du ? du < o.du : dv < o.dv;
    }
};

/// True when one neighbour's disparity, or the least-squares plane d = a + b·du + c·dv through the
/// neighbours (its value a at the match), lies within max(2 px, 10 %) of `d`.
inline bool supported(const std::vector<SupportNeighbour> &near, float d) {
    const float tol = std::max(2.0f, 0.1f * d);
    for (const auto &n : near) if (std::abs(n.disparity - d) <= tol) return true;
    double s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0, r0 = 0, r1 = 0, r2 = 0;
    for (const auto &n : near) {
        s00 += 1; s01 += n.du; s02 += n.dv; s11 += n.du * n.du; s12 += n.du * n.dv; s22 += n.dv * n.dv;
        r0 += n.disparity; r1 += n.du * n.disparity; r2 += n.dv * n.disparity;
    }
    const cv::Matx33d a(s00, s01, s02, s01, s11, s12, s02, s12, s22);
    // Neighbours along one line fix no plane.
    if (!(std::abs(cv::determinant(a)) > 1e-6 * std::pow(s11 + s22 + 1, 2))) return false;
    cv::Vec3d x;
    return cv::solve(a, cv::Vec3d(r0, r1, r2), x, cv::DECOMP_SVD) && std::abs(x[0] - d) <= tol;
}

/// Refuses the stereo matches that no nearby match supports. Of the (at most 6) nearest matches
/// within `radius` pixels, when there are at least 3, one must have a disparity close to the
/// match's, or the plane through them must predict it (`supported`). A wrong minimum of the
/// matching cost (repeated texture such as a railing, a window straddling a depth edge) gives a
/// disparity its surroundings do not share, while a slanted surface (the road) is predicted by the
/// plane; a match with fewer neighbours is kept, for lack of evidence. Decided on the matches as
/// they came, so the result does not depend on their order.
inline void refuseUnsupported(const std::vector<cv::Point2f> &points, std::vector<StereoResult> &stereo, float radius) {
    if (!(radius > 0)) return;
    const int cell = std::max(1, int(radius));
    std::unordered_map<int64_t, std::vector<size_t>> grid;
    const auto key = [](int cx, int cy) { return (int64_t(cy) << 32) ^ int64_t(uint32_t(cx)); };
    for (size_t i = 0; i < points.size(); ++i)
        if (stereo[i].valid) grid[key(int(points[i].x) / cell, int(points[i].y) / cell)].push_back(i);
    std::vector<uint8_t> refuse(points.size(), 0);
    std::vector<SupportNeighbour> near;
    for (size_t i = 0; i < points.size(); ++i) {
        if (!stereo[i].valid) continue;
        const cv::Point2f p = points[i];
        const int cx = int(p.x) / cell, cy = int(p.y) / cell;
        near.clear();
        for (int y = cy - 1; y <= cy + 1; ++y)
            for (int x = cx - 1; x <= cx + 1; ++x) {
                const auto it = grid.find(key(x, y));
                if (it == grid.end()) continue;
                for (const size_t j : it->second) {
                    const double du = points[j].x - p.x, dv = points[j].y - p.y, distance = cv::norm(points[j] - p);
                    if (j != i && distance <= radius) near.push_back({distance, stereo[j].disparity, du, dv});
                }
            }
        if (near.size() < 3) continue;
        std::sort(near.begin(), near.end());
        if (near.size() > 6) near.resize(6);
        if (!supported(near, stereo[i].disparity)) refuse[i] = 1;
    }
    for (size_t i = 0; i < points.size(); ++i) if (refuse[i]) stereo[i].valid = false;
}

} // namespace cvb
