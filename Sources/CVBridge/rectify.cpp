// Stereo rectification (stereoRectify + initUndistortRectifyMap + remap) for the C interface.
#include "bridge_common.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

struct cvb_rectifier {
    int width = 0, height = 0;
    cv::Mat map1[2], map2[2];   // fixed-point maps (CV_16SC2 + CV_16UC1) for fast remap
};

namespace {

cv::Mat cameraMatrix(const cvb_camera &c) {
    return (cv::Mat_<double>(3, 3) << c.fx, 0, c.cx, 0, c.fy, c.cy, 0, 0, 1);
}

cv::Mat distortion(const cvb_camera &c) {
    return (cv::Mat_<double>(1, 5) << c.distortion[0], c.distortion[1], c.distortion[2], c.distortion[3], c.distortion[4]);
}

bool validCamera(const cvb_camera &c) {
    return std::isfinite(c.fx) && std::isfinite(c.fy) && std::isfinite(c.cx) && std::isfinite(c.cy) && c.fx > 0 && c.fy > 0;
}

} // namespace

extern "C" cvb_rectifier *cvb_rectifier_create(const cvb_camera *left, const cvb_camera *right,
                                               const double r_rl[9], const double t_rl[3],
                                               int width, int height,
                                               cvb_rectification *out, cvb_error *err) {
    if (!left || !right || !r_rl || !t_rl || !out || width <= 0 || height <= 0) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_rectifier_create: invalid arguments");
        return nullptr;
    }
    if (!validCamera(*left) || !validCamera(*right)) {
        cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_rectifier_create: focal lengths must be positive and finite");
        return nullptr;
    }
    cvb_rectifier *result = nullptr;
    cvb::guarded(err, "stereo rectification", [&]() -> int {
        cv::Mat K0 = cameraMatrix(*left), K1 = cameraMatrix(*right);
        cv::Mat D0 = distortion(*left), D1 = distortion(*right);
        cv::Mat R(3, 3, CV_64F), T(3, 1, CV_64F);
        for (int i = 0; i < 9; ++i) R.at<double>(i / 3, i % 3) = r_rl[i];
        for (int i = 0; i < 3; ++i) T.at<double>(i) = t_rl[i];
        const double tnorm = cv::norm(T);
        if (!(tnorm > 1e-9)) return cvb::fail(err, CVB_ERR_ARGUMENT, "stereo rectification: baseline is zero");
        cv::Mat R0, R1, P0, P1, Q;
        const cv::Size size(width, height);
        cv::stereoRectify(K0, D0, K1, D1, size, R, T, R0, R1, P0, P1, Q, cv::CALIB_ZERO_DISPARITY, 0.0, size);
        auto r = new cvb_rectifier();
        r->width = width;
        r->height = height;
        cv::initUndistortRectifyMap(K0, D0, R0, P0, size, CV_16SC2, r->map1[0], r->map2[0]);
        cv::initUndistortRectifyMap(K1, D1, R1, P1, size, CV_16SC2, r->map1[1], r->map2[1]);
        out->fx = P0.at<double>(0, 0);
        out->fy = P0.at<double>(1, 1);
        out->cx = P0.at<double>(0, 2);
        out->cy = P0.at<double>(1, 2);
        // P1 = [f 0 cx -f·b; ...] for a horizontal rig with the right camera at +b.
        out->baseline = -P1.at<double>(0, 3) / P1.at<double>(0, 0);
        for (int i = 0; i < 9; ++i) {
            out->r_left[i] = R0.at<double>(i / 3, i % 3);
            out->r_right[i] = R1.at<double>(i / 3, i % 3);
        }
        out->width = width;
        out->height = height;
        if (!(out->baseline > 0)) {
            delete r;
            return cvb::fail(err, CVB_ERR_ARGUMENT,
                             "stereo rectification: the right camera is not to the right of the left one (baseline %g)", out->baseline);
        }
        result = r;
        return CVB_OK;
    });
    return result;
}

extern "C" int cvb_rectifier_apply(const cvb_rectifier *r, int side, const uint8_t *src, uint8_t *dst, cvb_error *err) {
    if (!r || !src || !dst || (side != 0 && side != 1))
        return cvb::fail(err, CVB_ERR_ARGUMENT, "cvb_rectifier_apply: invalid arguments");
    return cvb::guarded(err, "rectify image", [&]() -> int {
        cv::Mat in = cvb::wrapGrey(src, r->width, r->height);
        cv::Mat outMat(r->height, r->width, CV_8UC1, dst);
        cv::remap(in, outMat, r->map1[side], r->map2[side], cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
        return CVB_OK;
    });
}

extern "C" void cvb_rectifier_free(cvb_rectifier *r) { delete r; }
