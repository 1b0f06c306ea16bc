// Front end: grid-bucketed FAST keypoints, pyramidal LK tracking with a forward–backward check,
// and row-wise stereo matching with sub-pixel refinement — each with its raw uncertainty.
#include "bridge_common.hpp"
#include "cvb_frontend.h"
#include "frontend_lk.hpp"
#include "frontend_stereo.hpp"

#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Track {
    int64_t id;
    cv::Point2f pt, prev;
    float covUU = 0, covUV = 0, covVV = 0, fb = 0, score = 0;
    int32_t age = 0;
    bool tracked = false;
};

} // namespace

struct cvb_frontend {
    cvb_frontend_config cfg;
    int width, height;
    cvb::GradientPyramid prev, cur;
    std::unordered_map<int64_t, cv::Point2f> predictions;
    std::vector<Track> tracks;
    int64_t nextId = 0;
    // The tracks and id counter the last frame started from, for cvb_frontend_retrack.
    std::vector<Track> tracksBefore;
    int64_t nextIdBefore = 0;
    bool canRetrack = false;
};

extern "C" cvb_frontend_config cvb_frontend_default_config(void) {
    cvb_frontend_config c{};
    c.max_features = 1500;
    c.grid_cols = 16;
    c.grid_rows = 6;
    c.fast_threshold = 12;
    c.min_distance = 8;
    c.border = 12;
    c.stereo_radius = 4;
    c.max_disparity = 160;
    c.ambiguity_ratio = 0.85f;
    c.lr_tolerance = 1.0f;
    c.edge_check = 1;
    c.support_radius = 50.0f;
    c.lk_window = 11;
    c.lk_levels = 4;
    c.fb_threshold = 1.0f;
    c.min_ncc = 0.8f;
    return c;
}

extern "C" cvb_frontend *cvb_frontend_create(const cvb_frontend_config *config, int width, int height, cvb_error *err) {
    cvb::clear(err);
    if (!config || width <= 0 || height <= 0) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "front end: invalid image size %dx%d", width, height);
        return nullptr;
    }
    const auto &c = *config;
    if (c.max_features <= 0 || c.grid_cols <= 0 || c.grid_rows <= 0 || c.stereo_radius < 1 || c.stereo_radius > 15 || c.max_disparity < 1 ||
        c.lk_window < 5 || c.lk_window % 2 == 0 || c.lk_levels < 0 || c.min_distance < 1 || c.border < 0 ||
        !(c.ambiguity_ratio > 0 && c.ambiguity_ratio <= 1) || !(c.fb_threshold > 0) || !(c.min_ncc >= -1 && c.min_ncc <= 1) || !(c.lr_tolerance > 0) ||
        !(c.support_radius >= 0 && c.support_radius <= 1e4f)) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "front end: invalid configuration");
        return nullptr;
    }
    cvb_frontend *fe = nullptr;
    cvb::guarded(err, "front end", [&]() -> int {
        fe = new cvb_frontend();
        fe->cfg = c;
        fe->width = width;
        fe->height = height;
        return CVB_OK;
    });
    return fe;
}

extern "C" void cvb_frontend_reset(cvb_frontend *fe) {
    if (!fe) return;
    fe->tracks.clear();
    fe->prev = cvb::GradientPyramid();
    fe->predictions.clear();
    fe->canRetrack = false;
}

extern "C" void cvb_frontend_free(cvb_frontend *fe) { delete fe; }

extern "C" void cvb_frontend_set_predictions(cvb_frontend *fe, const int64_t *ids, const float *uv, int n) {
    if (!fe || !ids || !uv || n <= 0) return;
    try {
        fe->predictions.clear();
        for (int i = 0; i < n; ++i) {
            const float u = uv[2 * i], v = uv[2 * i + 1];
            if (std::isfinite(u) && std::isfinite(v)) fe->predictions[ids[i]] = cv::Point2f(u, v);
        }
    } catch (...) {
        fe->predictions.clear();   // out of memory: track without predictions
    }
}

namespace {

/// Tracks the previous features into the current pyramid (LK forward, then backward from the
/// result), keeps the consistent ones with their covariance inflated by the forward–backward error.
void trackFeatures(cvb_frontend &fe, int levels) {
    if (fe.tracks.empty() || fe.prev.empty()) { fe.tracks.clear(); return; }
    const auto &c = fe.cfg;
    // LK forward then backward, in parallel over the tracks (both cores).
    const size_t count = fe.tracks.size();
    std::vector<Track> result(count);
    std::vector<uint8_t> ok(count, 0);
    cv::parallel_for_(cv::Range(0, int(count)), [&](const cv::Range &range) {
        cvb::PyramidLK lk(c.lk_window);
        for (int i = range.start; i < range.end; ++i) {
            const Track &t0 = fe.tracks[size_t(i)];
            const auto guess = fe.predictions.find(t0.id);
            const bool predicted = guess != fe.predictions.end();
            // Coarse to fine from the motion-model prediction: the prediction is only as good as
            // the constant-velocity assumption (a turn that begins is tens of pixels off), so the
            // whole pyramid is used; with a good prediction the coarse levels converge at once.
            const auto fwd = lk.track(fe.prev, fe.cur, t0.pt, predicted ? guess->second : t0.pt, levels);
            if (!fwd.ok || !(fwd.ncc >= c.min_ncc)) continue;
            // Backwards the answer is known to within the FB tolerance: the base level suffices.
            const auto bwd = lk.track(fe.cur, fe.prev, fwd.pt, t0.pt, 0);
            if (!bwd.ok) continue;
            const float fb = float(cv::norm(bwd.pt - t0.pt));
            if (!(fb <= c.fb_threshold)) continue;
            const cv::Point2f q = fwd.pt;
            if (q.x < c.border || q.y < c.border || q.x > fe.width - 1 - c.border || q.y > fe.height - 1 - c.border) continue;
            Track t = t0;
            t.prev = t0.pt;
            t.pt = q;
            t.covUU = fwd.covUU + fb * fb;
            t.covUV = fwd.covUV;
            t.covVV = fwd.covVV + fb * fb;
            t.fb = fb;
            t.age += 1;
            t.tracked = true;
            result[size_t(i)] = t;
            ok[size_t(i)] = 1;
        }
    }, 2.0);
    fe.predictions.clear();
    std::vector<Track> kept;
    kept.reserve(count);
    for (size_t i = 0; i < count; ++i) if (ok[i]) kept.push_back(result[i]);
    // Tracks that converged onto each other: keep the oldest of each cluster.
    std::sort(kept.begin(), kept.end(), [](const Track &a, const Track &b) { return a.age != b.age ? a.age > b.age : a.id < b.id; });
    const int cell = c.min_distance;
    const int gw = fe.width / cell + 1, gh = fe.height / cell + 1;
    std::vector<uint8_t> occupied(size_t(gw) * gh, 0);
    std::vector<Track> spread;
    spread.reserve(kept.size());
    for (const auto &t : kept) {
        const int gx = int(t.pt.x) / cell, gy = int(t.pt.y) / cell;
        if (occupied[size_t(gy) * gw + gx]) continue;
        occupied[size_t(gy) * gw + gx] = 1;
        spread.push_back(t);
    }
    fe.tracks.swap(spread);
}

/// Shi–Tomasi score at pixel (x, y): the smallest eigenvalue of the 7×7 structure tensor, from the
/// base level's Scharr gradients that the tracker computed anyway (only at FAST corners, instead of
/// cornerMinEigenVal over whole buckets).
float minEigenvalue(const cvb::GradientPyramid &p, int x, int y) {
    const int pad = cvb::GradientPyramid::pad;
    double a = 0, b = 0, c = 0;
    for (int dy = -3; dy <= 3; ++dy) {
        const float *gx = p.gx[0].ptr<float>(y + dy + pad) + x + pad;
        const float *gy = p.gy[0].ptr<float>(y + dy + pad) + x + pad;
        for (int dx = -3; dx <= 3; ++dx) {
            const double u = gx[dx], v = gy[dx];
            a += u * u; b += u * v; c += v * v;
        }
    }
    const double h = 0.5 * (a - c);
    return float(0.5 * (a + c) - std::sqrt(h * h + b * b));
}

/// Tops up grid buckets below their quota with the strongest FAST corners away from tracks.
void detectFeatures(cvb_frontend &fe, const cv::Mat &cur) {
    const auto &c = fe.cfg;
    const int buckets = c.grid_cols * c.grid_rows;
    const int quota = std::max(1, (c.max_features + buckets - 1) / buckets);
    const int x0 = c.border, y0 = c.border, x1 = fe.width - c.border, y1 = fe.height - c.border;
    if (x1 - x0 < 16 || y1 - y0 < 16) return;
    const float bw = float(x1 - x0) / c.grid_cols, bh = float(y1 - y0) / c.grid_rows;
    std::vector<int> count(buckets, 0);
    const int cell = c.min_distance;
    const int gw = fe.width / cell + 1, gh = fe.height / cell + 1;
    std::vector<uint8_t> occupied(size_t(gw) * gh, 0);
    auto mark = [&](cv::Point2f p) {
        const int gx = int(p.x) / cell, gy = int(p.y) / cell;
        for (int y = std::max(0, gy - 1); y <= std::min(gh - 1, gy + 1); ++y)
            for (int x = std::max(0, gx - 1); x <= std::min(gw - 1, gx + 1); ++x) occupied[size_t(y) * gw + x] = 1;
    };
    auto bucketOf = [&](cv::Point2f p) {
        const int bx = std::min(c.grid_cols - 1, std::max(0, int((p.x - x0) / bw)));
        const int by = std::min(c.grid_rows - 1, std::max(0, int((p.y - y0) / bh)));
        return by * c.grid_cols + bx;
    };
    for (const auto &t : fe.tracks) { count[bucketOf(t.pt)]++; mark(t.pt); }
    // FAST and Shi–Tomasi scoring of the buckets below quota, in parallel (the expensive part;
    // `occupied` is only read there); then the corners are taken bucket by bucket in a fixed
    // order (ties broken by position), so the result is deterministic.
    std::vector<int> open;
    for (int b = 0; b < buckets; ++b) if (count[b] < quota) open.push_back(b);
    std::vector<std::vector<cv::KeyPoint>> found(open.size());
    cv::parallel_for_(cv::Range(0, int(open.size())), [&](const cv::Range &range) {
        for (int i = range.start; i < range.end; ++i) {
            const int b = open[size_t(i)], bx = b % c.grid_cols, by = b / c.grid_cols;
            // FAST needs 3 px around each tested pixel: detect on a slightly larger ROI.
            const int rx0 = std::max(0, int(x0 + bx * bw) - 3), ry0 = std::max(0, int(y0 + by * bh) - 3);
            const int rx1 = std::min(fe.width, int(x0 + (bx + 1) * bw) + 3), ry1 = std::min(fe.height, int(y0 + (by + 1) * bh) + 3);
            auto &kps = found[size_t(i)];
            cv::FAST(cur(cv::Rect(rx0, ry0, rx1 - rx0, ry1 - ry0)), kps, c.fast_threshold, true);
            // Only corners that could be taken are scored: inside this bucket, away from the tracks.
            size_t kept = 0;
            for (auto &k : kps) {
                const cv::Point2f p(k.pt.x + float(rx0), k.pt.y + float(ry0));
                if (p.x < x0 || p.y < y0 || p.x >= x1 || p.y >= y1 || bucketOf(p) != b) continue;
                if (occupied[size_t(int(p.y) / cell) * gw + int(p.x) / cell]) continue;
                k.pt = p;
                // Rank FAST corners by the Shi–Tomasi score (smallest structure-tensor eigenvalue):
                // what makes a window trackable by LK, rather than FAST's contrast score.
                k.response = minEigenvalue(fe.cur, int(p.x), int(p.y));
                kps[kept++] = k;
            }
            kps.resize(kept);
            std::sort(kps.begin(), kps.end(), [](const cv::KeyPoint &p, const cv::KeyPoint &q) {
                return p.response != q.response ? p.response > q.response : (p.pt.y != q.pt.y ? p.pt.y < q.pt.y : p.pt.x < q.pt.x);
            });
        }
    }, 2.0);
    for (size_t i = 0; i < open.size(); ++i) {
        const int b = open[i];
        for (const auto &k : found[i]) {
            if (count[b] >= quota) break;
            const cv::Point2f p = k.pt;
            const int gx = int(p.x) / cell, gy = int(p.y) / cell;
            if (occupied[size_t(gy) * gw + gx]) continue;
            Track t;
            t.id = fe.nextId++;
            t.pt = p;
            t.prev = p;
            t.score = k.response;
            fe.tracks.push_back(t);
            count[b]++;
            mark(p);
        }
    }
}

/// Tracks the previous frame's features into `fe.cur` (built from `cur` with at least `levels`
/// levels above the base), tops up the grid, matches every feature in the right image and writes
/// the features; the pyramids then swap (this frame becomes the previous one).
int trackDetectMatch(cvb_frontend &fe, const cv::Mat &cur, const cv::Mat &rightImg, int levels, Clock::time_point t0,
                     double tPyr, cvb_feature *out, int capacity, cvb_frontend_timing *timing) {
    auto t1 = Clock::now();
    trackFeatures(fe, levels);
    const double tTrack = msSince(t1);
    t1 = Clock::now();
    detectFeatures(fe, cur);
    const double tDetect = msSince(t1);
    t1 = Clock::now();
    // Stereo for every track, in parallel (one matcher, with its scratch buffers, per stripe).
    const auto &tracks = fe.tracks;
    std::vector<cvb::StereoResult> stereo(tracks.size());
    cv::parallel_for_(cv::Range(0, int(tracks.size())), [&](const cv::Range &range) {
        cvb::StereoMatcher matcher(cur, rightImg, fe.cfg.stereo_radius, fe.cfg.max_disparity,
                                   fe.cfg.ambiguity_ratio, fe.cfg.lr_tolerance, fe.cfg.edge_check != 0);
        for (int i = range.start; i < range.end; ++i) stereo[size_t(i)] = matcher.match(tracks[size_t(i)].pt.x, tracks[size_t(i)].pt.y);
    }, 2.0);
    if (fe.cfg.support_radius > 0) {
        std::vector<cv::Point2f> points(tracks.size());
        for (size_t i = 0; i < tracks.size(); ++i) points[i] = tracks[i].pt;
        cvb::refuseUnsupported(points, stereo, fe.cfg.support_radius);
    }
    int written = 0;
    for (size_t i = 0; i < tracks.size(); ++i) {
        const auto &t = tracks[i];
        if (written >= capacity) break;
        cvb_feature f{};
        f.id = t.id;
        f.u = t.pt.x; f.v = t.pt.y;
        f.prev_u = t.prev.x; f.prev_v = t.prev.y;
        f.cov_uu = t.covUU; f.cov_uv = t.covUV; f.cov_vv = t.covVV;
        f.fb_error = t.fb;
        f.score = t.score;
        f.age = t.age;
        f.flags = t.tracked ? CVB_FEATURE_TRACKED : CVB_FEATURE_NEW;
        const auto &m = stereo[i];
        if (m.valid) {
            f.disparity = m.disparity;
            f.disparity_var = m.variance;
            f.stereo_residual = m.residual;
            f.flags |= CVB_FEATURE_STEREO;
        }
        out[written++] = f;
    }
    const double tStereo = msSince(t1);
    std::swap(fe.prev, fe.cur);
    if (timing) *timing = cvb_frontend_timing{tPyr, tTrack, tDetect, tStereo, msSince(t0)};
    return written;
}

/// Wraps the images, lets `prepare` set up the pyramids and the tracks to start from (it returns
/// the tracker's pyramid levels) and processes the frame: the number of features written, or -1
/// with `err` set.
template <typename Prepare>
int runFrame(cvb_frontend *fe, const uint8_t *left, const uint8_t *right, cvb_feature *out, int capacity,
             cvb_frontend_timing *timing, cvb_error *err, Prepare prepare) {
    int written = -1;
    const int rc = cvb::guarded(err, "front end", [&]() -> int {
        const auto t0 = Clock::now();
        const cv::Mat cur = cvb::wrapGrey(left, fe->width, fe->height);
        const cv::Mat rightImg = cvb::wrapGrey(right, fe->width, fe->height);
        fe->canRetrack = false;
        const int levels = prepare(cur);
        written = trackDetectMatch(*fe, cur, rightImg, levels, t0, msSince(t0), out, capacity, timing);
        return CVB_OK;
    });
    return rc == CVB_OK ? written : -1;
}

} // namespace

extern "C" int cvb_frontend_process(cvb_frontend *fe, const uint8_t *left, const uint8_t *right,
                                    cvb_feature *out, int capacity, cvb_frontend_timing *timing, cvb_error *err) {
    if (!fe || !left || !right || (!out && capacity > 0)) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_frontend_process: invalid arguments");
        return -1;
    }
    const bool hadPrevious = !fe->prev.empty();
    const int written = runFrame(fe, left, right, out, capacity, timing, err, [&](const cv::Mat &cur) {
        fe->cur.build(cur, fe->cfg.lk_levels);
        fe->tracksBefore = fe->tracks;
        fe->nextIdBefore = fe->nextId;
        return fe->cfg.lk_levels;
    });
    if (written >= 0) fe->canRetrack = hadPrevious;
    return written;
}

extern "C" int cvb_frontend_retrack(cvb_frontend *fe, const uint8_t *left, const uint8_t *right, int extra_levels,
                                    cvb_feature *out, int capacity, cvb_frontend_timing *timing, cvb_error *err) {
    if (!fe || !left || !right || (!out && capacity > 0) || extra_levels < 0 || extra_levels > 4) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_frontend_retrack: invalid arguments");
        return -1;
    }
    if (!fe->canRetrack) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_frontend_retrack: no tracked frame to track again");
        return -1;
    }
    const int written = runFrame(fe, left, right, out, capacity, timing, err, [&](const cv::Mat &) {
        // After the frame's processing `prev` holds its pyramid and `cur` the previous frame's.
        std::swap(fe->prev, fe->cur);
        const int levels = fe->cfg.lk_levels + extra_levels;
        fe->prev.deepen(levels);
        fe->cur.deepen(levels);
        fe->tracks = fe->tracksBefore;
        fe->nextId = fe->nextIdBefore;
        return levels;
    });
    if (written >= 0) fe->canRetrack = true;
    return written;
}
