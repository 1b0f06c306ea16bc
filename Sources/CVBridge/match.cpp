// ORB: detection and cross-checked matching of an image pair (used to verify rectification), and
// descriptors at given keypoints (keyframes, for place recognition).
#include "bridge_common.hpp"

#include <cmath>
#include <cstring>

#include <opencv2/features2d.hpp>

extern "C" int cvb_orb_match_pair(const uint8_t *left, const uint8_t *right, int width, int height,
                                  int max_features, cvb_stereo_match *out, int capacity, cvb_error *err) {
    if (!left || !right || width <= 0 || height <= 0 || max_features <= 0 || (!out && capacity > 0)) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_orb_match_pair: invalid arguments");
        return -1;
    }
    int count = -1;
    const int rc = cvb::guarded(err, "ORB matching", [&]() -> int {
        auto orb = cv::ORB::create(max_features);
        std::vector<cv::KeyPoint> k0, k1;
        cv::Mat d0, d1;
        orb->detectAndCompute(cvb::wrapGrey(left, width, height), cv::noArray(), k0, d0);
        orb->detectAndCompute(cvb::wrapGrey(right, width, height), cv::noArray(), k1, d1);
        count = 0;
        if (d0.empty() || d1.empty()) return CVB_OK;
        cv::BFMatcher matcher(cv::NORM_HAMMING, true);
        std::vector<cv::DMatch> matches;
        matcher.match(d0, d1, matches);
        for (const auto &m : matches) {
            if (count >= capacity) break;
            const auto &a = k0[m.queryIdx].pt, &b = k1[m.trainIdx].pt;
            out[count++] = cvb_stereo_match{a.x, a.y, b.x, b.y, int(m.distance)};
        }
        return CVB_OK;
    });
    return rc == CVB_OK ? count : -1;
}

extern "C" int cvb_orb_describe(const uint8_t *pixels, int width, int height, const float *uv, int count,
                                uint8_t *descriptors, uint8_t *valid, cvb_error *err) {
    if (!pixels || width <= 0 || height <= 0 || count < 0 || (count > 0 && (!uv || !descriptors || !valid))) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_orb_describe: invalid arguments");
        return -1;
    }
    int described = -1;
    const int rc = cvb::guarded(err, "ORB descriptors", [&]() -> int {
        std::memset(descriptors, 0, size_t(count) * CVB_ORB_BYTES);
        std::memset(valid, 0, size_t(count));
        described = 0;
        if (count == 0) return CVB_OK;
        std::vector<cv::KeyPoint> kps;
        kps.reserve(size_t(count));
        for (int i = 0; i < count; ++i) {
            const float x = uv[2 * i], y = uv[2 * i + 1];
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            cv::KeyPoint k(x, y, 31.f, -1.f, 0.f, 0, i);   // size 31 (ORB's patch), octave 0, class_id = input index
            kps.push_back(k);
        }
        auto orb = cv::ORB::create(count, 1.2f, 1);   // one level: describe at the given scale
        cv::Mat desc;
        orb->detectAndCompute(cvb::wrapGrey(pixels, width, height), cv::noArray(), kps, desc, true);
        for (size_t k = 0; k < kps.size() && int(k) < desc.rows; ++k) {
            const int i = kps[k].class_id;
            if (i < 0 || i >= count) continue;
            std::memcpy(descriptors + size_t(i) * CVB_ORB_BYTES, desc.ptr<uint8_t>(int(k)), CVB_ORB_BYTES);
            valid[i] = 1;
            ++described;
        }
        return CVB_OK;
    });
    return rc == CVB_OK ? described : -1;
}
