// ORB detection and cross-checked matching of an image pair (used to verify rectification).
#include "bridge_common.hpp"

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
