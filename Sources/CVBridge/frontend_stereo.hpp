// Row-wise stereo matching of single keypoints on rectified images (internal to the bridge).
//
// For a left keypoint at integer (x0, y0) the SSD cost of the (2r+1)² window against the right
// image is computed for every right column j = x0 − δ, δ ∈ [0, maxD]. The loop runs over j
// innermost so that the compiler vectorises it. Sub-pixel disparity from a parabola through the
// minimum and its neighbours; variance 2σ_n²/c'' with σ_n² = c(δ0)/(N−1) (METHOD.md §2);
// ambiguity test against the best cost outside the minimum's basin; left–right check by the
// same search from the right image back into the left one.
#pragma once

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace cvb {

struct StereoResult {
    bool valid = false;
    float disparity = 0, variance = 0, residual = 0;
};

class StereoMatcher {
public:
    StereoMatcher(const cv::Mat &left, const cv::Mat &right, int radius, int maxDisparity, float ambiguity, float lrTolerance)
        : L(left), R(right), r(radius), maxD(maxDisparity), ratio(ambiguity), lrTol(lrTolerance) {
        cost.resize(size_t(maxD) + 3);
    }

    StereoResult match(float u, float v) {
        StereoResult res;
        const int x0 = int(std::lround(u)), y0 = int(std::lround(v));
        if (y0 < r || y0 >= L.rows - r || x0 < r || x0 >= L.cols - r) return res;
        // Forward search: left patch at x0 against right columns x0 − δ.
        const int dMax = std::min(maxD, x0 - r);
        if (dMax < 2) return res;
        ssd(L, R, x0, y0, x0 - dMax, x0, -1);
        int best = 0;
        for (int d = 1; d <= dMax; ++d) if (cost[d] < cost[best]) best = d;
        if (best == 0 || best == dMax) return res;               // minimum on the search boundary
        // Ambiguity: best must clearly beat every cost outside its own basin.
        int lo = best, hi = best;
        while (lo > 0 && cost[lo - 1] >= cost[lo]) --lo;
        while (hi < dMax && cost[hi + 1] >= cost[hi]) ++hi;
        double second = std::numeric_limits<double>::infinity();
        for (int d = 0; d <= dMax; ++d) if ((d < lo || d > hi) && cost[d] < second) second = cost[d];
        const double c0 = cost[best], cm = cost[best - 1], cp = cost[best + 1];
        if (std::isfinite(second) && c0 > ratio * second) return res;
        const double curv = cm - 2 * c0 + cp;                     // c''
        if (!(curv > 0)) return res;
        const double offset = (cm - cp) / (2 * curv);             // −c'/c'' with c' = (cp − cm)/2
        const double disparity = best + offset;
        const int n = (2 * r + 1) * (2 * r + 1);
        const double s2 = std::max(c0, 1.0) / double(n - 1);
        double variance = 2 * s2 / curv;
        // Left–right consistency: search from the right match back along the left row.
        const int xr = x0 - best;
        const int dBack = std::min(maxD, L.cols - 1 - r - xr);
        if (dBack < best + 1) return res;
        ssd(R, L, xr, y0, xr, xr + dBack, +1);
        int back = 0;
        for (int d = 1; d <= dBack; ++d) if (cost[d] < cost[back]) back = d;
        double backDisparity = back;
        if (back > 0 && back < dBack) {
            const double bc = cost[back - 1] - 2 * cost[back] + cost[back + 1];
            if (bc > 0) backDisparity += (cost[back - 1] - cost[back + 1]) / (2 * bc);
        }
        const double lr = std::abs(backDisparity - disparity);
        if (!(lr <= lrTol)) return res;
        variance += lr * lr;
        if (!std::isfinite(variance) || !std::isfinite(disparity)) return res;
        res.valid = true;
        res.disparity = float(disparity);
        res.variance = float(variance);
        res.residual = float(s2);
        return res;
    }

private:
    /// cost[δ] = SSD between the window of `a` at (xa, y) and the window of `b` at column
    /// xa + sign·δ, for the columns jLo…jHi of `b` (sign −1: right image, sign +1: left image).
    void ssd(const cv::Mat &a, const cv::Mat &b, int xa, int y, int jLo, int jHi, int sign) {
        const int count = jHi - jLo + 1;
        col.assign(size_t(count), 0);
        for (int dy = -r; dy <= r; ++dy) {
            const uint8_t *ra = a.ptr<uint8_t>(y + dy) + xa;
            const uint8_t *rb = b.ptr<uint8_t>(y + dy) + jLo;
            for (int dx = -r; dx <= r; ++dx) {
                const int av = ra[dx];
                const uint8_t *rbx = rb + dx;
                int32_t *acc = col.data();
                for (int j = 0; j < count; ++j) {
                    const int diff = av - int(rbx[j]);
                    acc[j] += diff * diff;
                }
            }
        }
        // Map column index to disparity δ.
        for (int j = 0; j < count; ++j) {
            const int d = sign < 0 ? (xa - (jLo + j)) : (jLo + j - xa);
            cost[d] = double(col[size_t(j)]);
        }
    }

    const cv::Mat &L, &R;
    int r, maxD;
    float ratio, lrTol;
    std::vector<double> cost;
    std::vector<int32_t> col;
};

} // namespace cvb
