// Temporal matching of the front end: pyramidal LK forward from each track's predicted position,
// backward from the result, kept when both agree. The pyramid level LK starts at is chosen per
// frame from a sample of the precise predictions (cvb_frontend_set_predictions).
#include "frontend_state.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace cvb {
namespace {

/// Every `pilotStride`-th track with a precise prediction is a pilot: tracked first, with the
/// whole pyramid, to measure how far this frame's precise predictions are off.
constexpr size_t pilotStride = 8;
/// Fewest pilots that held for a decision (fewer: the whole pyramid for every track).
constexpr size_t minPilots = 16;
/// Starting at level l finds matches up to about reachPerLevel·2^l pixels from the prediction
/// (LK converges from about half its window at each level; this keeps a margin of 2 or more).
constexpr float reachPerLevel = 1.5f;

/// A track's match in the current frame: `error` is its distance from where LK started.
struct Outcome {
    Track track;
    float error = 0;
    bool ok = false;
};

/// Tracks `t0` forward from `start` with `levels` pyramid levels above the base, then backward;
/// the match holds when its windows correlate and the backward track returns to `t0`.
Outcome trackOne(const cvb_frontend &fe, PyramidLK &lk, const Track &t0, cv::Point2f start, int levels) {
    const auto &c = fe.cfg;
    Outcome o;
    const auto fwd = lk.track(fe.prev, fe.cur, t0.pt, start, levels);
    if (!fwd.ok || !(fwd.ncc >= c.min_ncc)) return o;
    // Backwards the answer is known to within the FB tolerance: the base level suffices.
    const auto bwd = lk.track(fe.cur, fe.prev, fwd.pt, t0.pt, 0);
    if (!bwd.ok) return o;
    const float fb = float(cv::norm(bwd.pt - t0.pt));
    if (!(fb <= c.fb_threshold)) return o;
    const cv::Point2f q = fwd.pt;
    if (q.x < c.border || q.y < c.border || q.x > fe.width - 1 - c.border || q.y > fe.height - 1 - c.border) return o;
    Track &t = o.track;
    t = t0;
    t.prev = t0.pt;
    t.pt = q;
    t.covUU = fwd.covUU + fb * fb;
    t.covUV = fwd.covUV;
    t.covVV = fwd.covVV + fb * fb;
    t.fb = fb;
    t.age += 1;
    t.tracked = true;
    o.error = float(cv::norm(q - start));
    o.ok = true;
    return o;
}

/// The pyramid levels for the precise predictions that are not pilots: the fewest whose reach
/// covers 90 % of the pilots' errors, else all of them.
int levelsFromPilots(std::vector<float> errors, int maxLevels) {
    if (errors.size() < minPilots) return maxLevels;
    const auto q = errors.begin() + std::ptrdiff_t(errors.size() * 9 / 10);
    std::nth_element(errors.begin(), q, errors.end());
    for (int l = 1; l < maxLevels; ++l) if (*q <= reachPerLevel * float(1 << l)) return l;
    return maxLevels;
}

} // namespace

/// Tracks the previous features into the current pyramid and keeps the consistent ones, with
/// their covariance inflated by the forward–backward error. Coarse to fine from the motion-model
/// prediction: the prediction is only as good as the constant-velocity assumption (a turn that
/// begins is tens of pixels off), so pilots and imprecise predictions use the whole pyramid.
void trackFeatures(cvb_frontend &fe) {
    if (fe.tracks.empty() || fe.prev.empty()) { fe.tracks.clear(); return; }
    const auto &c = fe.cfg;
    const size_t count = fe.tracks.size();
    std::vector<cv::Point2f> start(count);
    std::vector<size_t> first, second;   // pilots and imprecise predictions; other precise ones
    first.reserve(count);
    second.reserve(count);
    size_t precise = 0;
    for (size_t i = 0; i < count; ++i) {
        const auto guess = fe.predictions.find(fe.tracks[i].id);
        const bool found = guess != fe.predictions.end();
        start[i] = found ? guess->second.pt : fe.tracks[i].pt;
        if (found && guess->second.precise && precise++ % pilotStride != 0) second.push_back(i);
        else first.push_back(i);
    }
    std::vector<Outcome> out(count);
    // LK forward then backward, in parallel over the tracks (both cores).
    auto run = [&](const std::vector<size_t> &which, int levels) {
        cv::parallel_for_(cv::Range(0, int(which.size())), [&](const cv::Range &range) {
            PyramidLK lk(c.lk_window);
            for (int k = range.start; k < range.end; ++k) {
                const size_t i = which[size_t(k)];
                out[i] = trackOne(fe, lk, fe.tracks[i], start[i], levels);
            }
        }, 2.0);
    };
    run(first, c.lk_levels);
    std::vector<float> pilotErrors;
    for (size_t i : first) {
        const auto guess = fe.predictions.find(fe.tracks[i].id);
        if (out[i].ok && guess != fe.predictions.end() && guess->second.precise) pilotErrors.push_back(out[i].error);
    }
    run(second, levelsFromPilots(std::move(pilotErrors), c.lk_levels));
    fe.predictions.clear();
    std::vector<Track> kept;
    kept.reserve(count);
    for (const auto &o : out) if (o.ok) kept.push_back(o.track);
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

} // namespace cvb
