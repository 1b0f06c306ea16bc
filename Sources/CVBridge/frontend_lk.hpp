// Pyramidal Lucas–Kanade (Bouguet's forward-additive form) that also returns the uncertainty of
// each match: Σ_uv = σ_n² A⁻¹, with A the structure tensor of the template window and σ_n² the
// window's residual variance at convergence (METHOD.md §2). Written here rather than calling
// cv::calcOpticalFlowPyrLK because (a) the covariance needs A and the residual of the very window
// the estimate used, and (b) Debian's libopencv_video links the DNN module (protobuf, GL, X11),
// ~15 ms of process start-up for one function.
#pragma once

#include "kernels_avx2.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>
#include <vector>

namespace cvb {

/// A float image pyramid with Scharr gradients at every level. Every level is padded by `pad`
/// reflected pixels so that windows near the border (where coarse levels are tiny) still work.
struct GradientPyramid {
    static constexpr int pad = 16;
    std::vector<cv::Mat> image, gx, gy;   // CV_32F, padded

    void build(const cv::Mat &grey8, int levels) {
        image.resize(size_t(levels) + 1);
        gx.resize(image.size());
        gy.resize(image.size());
        cv::Mat level;
        grey8.convertTo(level, CV_32F);
        for (size_t l = 0; l < image.size(); ++l) {
            if (l > 0) cv::pyrDown(cv::Mat(level), level);
            cv::copyMakeBorder(level, image[l], pad, pad, pad, pad, cv::BORDER_REFLECT_101);
            cv::Scharr(image[l], gx[l], CV_32F, 1, 0, 1.0 / 32.0);
            cv::Scharr(image[l], gy[l], CV_32F, 0, 1, 1.0 / 32.0);
        }
    }
    /// Adds coarser levels until there are `levels` above the base, exactly as `build` with that
    /// many would have made them.
    void deepen(int levels) {
        while (!image.empty() && int(image.size()) < levels + 1) {
            const cv::Mat &last = image.back();
            const cv::Mat inner = last(cv::Rect(pad, pad, last.cols - 2 * pad, last.rows - 2 * pad)).clone();
            cv::Mat level, padded, dx, dy;
            cv::pyrDown(inner, level);
            cv::copyMakeBorder(level, padded, pad, pad, pad, pad, cv::BORDER_REFLECT_101);
            cv::Scharr(padded, dx, CV_32F, 1, 0, 1.0 / 32.0);
            cv::Scharr(padded, dy, CV_32F, 0, 1, 1.0 / 32.0);
            image.push_back(padded); gx.push_back(dx); gy.push_back(dy);
        }
    }
    bool empty() const { return image.empty(); }
    int levels() const { return int(image.size()); }
};

struct LKResult {
    bool ok = false;
    cv::Point2f pt;
    float covUU = 0, covUV = 0, covVV = 0;
    float ncc = 0;   // normalised cross-correlation of the two windows at convergence
};

class PyramidLK {
public:
    explicit PyramidLK(int window) : half(window / 2), n(window * window) {
        t.resize(size_t(n)); tx.resize(size_t(n)); ty.resize(size_t(n)); j.resize(size_t(n));
    }

    /// Tracks `p` from pyramid `a` into pyramid `b`, starting from the guess `guess` (in b) at
    /// pyramid level `maxLevel` at most: a good guess (a motion-model prediction, or the origin of
    /// a forward track when checking it backwards) needs fewer coarse levels.
    LKResult track(const GradientPyramid &a, const GradientPyramid &b, cv::Point2f p, cv::Point2f guess, int maxLevel = 1 << 20) {
        LKResult res;
        const int top = std::max(0, std::min(maxLevel, std::min(a.levels(), b.levels()) - 1));
        double dx = (guess.x - p.x) / double(1 << top), dy = (guess.y - p.y) / double(1 << top);
        double A11 = 0, A12 = 0, A22 = 0, rr = 0;
        for (int level = top; level >= 0; --level) {
            const double s = 1.0 / double(1 << level);
            // Coordinates inside the padded level.
            const double px = p.x * s + GradientPyramid::pad, py = p.y * s + GradientPyramid::pad;
            const cv::Mat &I = a.image[size_t(level)], &J = b.image[size_t(level)];
            if (!inside(I, px, py)) {
                if (level == 0) return res;
                dx *= 2; dy *= 2;
                continue;
            }
            // The target window's first position is known now: its cache misses overlap the template's.
            if (inside(J, px + dx, py + dy)) prefetchWindow(J, px + dx, py + dy);
            sampleTemplate(a, size_t(level), px, py);
            dot3(tx.data(), ty.data(), A11, A12, A22);
            sumX = sumY = 0;
            for (int k = 0; k < n; ++k) { sumX += tx[size_t(k)]; sumY += ty[size_t(k)]; }
            // Bias-compensated LK solves with the mean-removed gradients: A − n·ḡḡᵀ.
            A11 -= sumX * sumX / n; A12 -= sumX * sumY / n; A22 -= sumY * sumY / n;
            const double det = A11 * A22 - A12 * A12;
            if (!(det > 1e-6 * (A11 + A22) * (A11 + A22)) || !(det > 0)) return res;
            bool converged = false;
            double prevX = 0, prevY = 0;
            // Coarse levels only seed the next one: a few iterations to 0.1 px suffice there.
            const int maxIterations = level == 0 ? 30 : 10;
            for (int it = 0; it < maxIterations; ++it) {
                const double qx = px + dx, qy = py + dy;
                if (!inside(J, qx, qy)) break;
                sampleWindow(J, qx, qy, j.data());
                double b1, b2;
                mismatch(b1, b2, rr);
                const double ddx = (A22 * b1 - A12 * b2) / det, ddy = (A11 * b2 - A12 * b1) / det;
                // Oscillation between two positions (as OpenCV's LK detects): settle halfway.
                if (it > 0 && std::abs(ddx + prevX) < 0.01 && std::abs(ddy + prevY) < 0.01) {
                    dx += 0.5 * ddx; dy += 0.5 * ddy;
                    converged = true;
                    break;
                }
                prevX = ddx; prevY = ddy;
                dx += ddx; dy += ddy;
                // 0.01 px at the base level, 0.1 px at the coarser ones.
                if (ddx * ddx + ddy * ddy < (level == 0 ? 1e-4 : 1e-2)) { converged = true; break; }
            }
            if (level == 0) {
                const double qx = px + dx, qy = py + dy;
                if (!inside(J, qx, qy)) return res;
                if (!converged) {
                    // Accept only a settled estimate: recompute the residual at the final position.
                    sampleWindow(J, qx, qy, j.data());
                    double b1, b2;
                    mismatch(b1, b2, rr);
                }
                res.ncc = float(ncc());
                const double s2 = rr / double(n - 3);   // 2 position parameters + 1 brightness offset
                res.pt = cv::Point2f(float(qx - GradientPyramid::pad), float(qy - GradientPyramid::pad));
                res.covUU = float(s2 * A22 / det);
                res.covUV = float(-s2 * A12 / det);
                res.covVV = float(s2 * A11 / det);
                res.ok = std::isfinite(res.pt.x) && std::isfinite(res.pt.y) && std::isfinite(res.covUU) && std::isfinite(res.covVV);
                return res;
            }
            dx *= 2; dy *= 2;
        }
        return res;
    }

private:
    typedef float v4 __attribute__((vector_size(16)));

    static v4 load(const float *p) { v4 v; std::memcpy(&v, p, sizeof v); return v; }
    static double sum(v4 v) { return double(v[0]) + double(v[1]) + double(v[2]) + double(v[3]); }

    /// Structure tensor Σ gx², Σ gx·gy, Σ gy² over the window (4-wide SIMD, scalar tail).
    void dot3(const float *gx, const float *gy, double &a11, double &a12, double &a22) const {
        v4 s11 = {0, 0, 0, 0}, s12 = s11, s22 = s11;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            const v4 x = load(gx + k), y = load(gy + k);
            s11 += x * x; s12 += x * y; s22 += y * y;
        }
        a11 = sum(s11); a12 = sum(s12); a22 = sum(s22);
        for (; k < n; ++k) { a11 += gx[k] * gx[k]; a12 += gx[k] * gy[k]; a22 += gy[k] * gy[k]; }
    }

    /// b = Σ (r − r̄)·∇t and Σ (r − r̄)² over the window, r = t − j: the residual with its mean
    /// removed, so that a brightness offset between the frames (auto-exposure) does not bias the
    /// match. 4-wide SIMD with a scalar tail.
    void mismatch(double &b1, double &b2, double &rr) const {
        v4 s1 = {0, 0, 0, 0}, s2 = s1, s3 = s1, s4 = s1;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            const v4 r = load(&t[size_t(k)]) - load(&j[size_t(k)]);
            s1 += r * load(&tx[size_t(k)]); s2 += r * load(&ty[size_t(k)]); s3 += r * r; s4 += r;
        }
        b1 = sum(s1); b2 = sum(s2); rr = sum(s3);
        double rs = sum(s4);
        for (; k < n; ++k) {
            const double r = double(t[size_t(k)]) - double(j[size_t(k)]);
            b1 += r * tx[size_t(k)]; b2 += r * ty[size_t(k)]; rr += r * r; rs += r;
        }
        const double mean = rs / n;
        b1 -= mean * sumX; b2 -= mean * sumY; rr -= mean * rs;
    }

    /// Zero-mean normalised cross-correlation of the template and target windows.
    double ncc() const {
        double st = 0, sj = 0, stt = 0, sjj = 0, stj = 0;
        for (int k = 0; k < n; ++k) {
            const double a = t[size_t(k)], b = j[size_t(k)];
            st += a; sj += b; stt += a * a; sjj += b * b; stj += a * b;
        }
        const double vt = stt - st * st / n, vj = sjj - sj * sj / n;
        if (!(vt > 1e-9) || !(vj > 1e-9)) return 0;
        return (stj - st * sj / n) / std::sqrt(vt * vj);
    }

    bool inside(const cv::Mat &img, double x, double y) const {
        return x >= half + 1 && y >= half + 1 && x < img.cols - half - 2 && y < img.rows - half - 2;
    }

    /// Asks the cache for the rows a window centred at (x, y) reads (a window's rows are a stride
    /// apart, so the hardware prefetcher does not see them coming; issued together, their misses
    /// overlap instead of arriving one row at a time). Changes no result.
    void prefetchWindow(const cv::Mat &img, double x, double y) const {
        const size_t stride = img.step[0] / sizeof(float);
        int x0, y0;
        prefetchRows(img.ptr<float>(0) + windowOrigin(stride, x, y, x0, y0), stride);
    }

    void prefetchRows(const float *origin, size_t stride) const {
        const int w = 2 * half + 1;
        for (int r = 0; r <= w; ++r) {
            __builtin_prefetch(origin + size_t(r) * stride);
            __builtin_prefetch(origin + size_t(r) * stride + w);
        }
    }

    /// Offset of the top-left pixel of the window centred at (x, y), and the pixel (x0, y0) at
    /// or up-left of (x, y) that the bilinear weights are taken from.
    size_t windowOrigin(size_t stride, double x, double y, int &x0, int &y0) const {
        x0 = int(x); y0 = int(y);   // x, y > 0 inside the padded level: truncation is floor
        if (double(x0) > x) --x0;
        if (double(y0) > y) --y0;
        return size_t(y0 - half) * stride + size_t(x0 - half);
    }

    /// Bilinear samples of the window centred at (x, y); one set of weights for the whole window.
    void sampleWindow(const cv::Mat &img, double x, double y, float *out) const {
        const float *src[1] = {img.ptr<float>(0)};
        float *dst[1] = {out};
        sample<1>(src, img.step[0] / sizeof(float), x, y, dst);
    }

    /// The template's three windows (image and both gradients) at once: one set of weights.
    void sampleTemplate(const GradientPyramid &p, size_t level, double x, double y) {
        const float *src[3] = {p.image[level].ptr<float>(0), p.gx[level].ptr<float>(0), p.gy[level].ptr<float>(0)};
        float *dst[3] = {t.data(), tx.data(), ty.data()};
        sample<3>(src, p.image[level].step[0] / sizeof(float), x, y, dst);
    }

    /// Bilinear sampling of K same-sized images (row stride `stride` floats) at the window
    /// centred at (x, y), which `inside` has checked: ((w00·a + w01·b) + w10·c) + w11·d per pixel,
    /// four pixels at a time (eight with AVX2; the last vector of a row overlaps the one before).
    template <int K>
    void sample(const float *const *src, size_t stride, double x, double y, float *const *dst) const {
        int x0, y0;
        const size_t origin = windowOrigin(stride, x, y, x0, y0);
        const float ax = float(x - x0), ay = float(y - y0);
        const float w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
        const v4 v00 = {w00, w00, w00, w00}, v01 = {w01, w01, w01, w01}, v10 = {w10, w10, w10, w10}, v11 = {w11, w11, w11, w11};
        const int w = 2 * half + 1;
        if (K > 1) {   // the template: three images' rows requested before any is read
            for (int k = 0; k < K; ++k) prefetchRows(src[k] + origin, stride);
        }
        if (w >= 8 && hasAVX2()) {
            const float weights[4] = {w00, w01, w10, w11};
            bilinearAVX2(src, K, stride, origin, w, weights, dst);
            return;
        }
        for (int k = 0; k < K; ++k) {
            for (int r = 0; r < w; ++r) {
                const float *r0 = src[k] + origin + size_t(r) * stride, *r1 = r0 + stride;
                float *o = dst[k] + r * w;
                for (int c = 0;; c += 4) {
                    if (c + 4 > w) c = w - 4;   // w ≥ 5: the last vector overlaps
                    const v4 v = v00 * load(r0 + c) + v01 * load(r0 + c + 1) + v10 * load(r1 + c) + v11 * load(r1 + c + 1);
                    std::memcpy(o + c, &v, sizeof v);
                    if (c + 4 >= w) break;
                }
            }
        }
    }

    int half, n;
    double sumX = 0, sumY = 0;   // Σ ∇t over the window at the current level
    std::vector<float> t, tx, ty, j;
};

} // namespace cvb
