// The front end's state between frames (internal to the bridge; shared by frontend.cpp and
// frontend_track.cpp).
#pragma once

#include "cvb_frontend.h"
#include "frontend_lk.hpp"

#include <opencv2/core.hpp>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace cvb {

/// One live feature track.
struct Track {
    int64_t id;
    cv::Point2f pt, prev;
    float covUU = 0, covUV = 0, covVV = 0, fb = 0, score = 0;
    int32_t age = 0;
    bool tracked = false;
};

/// Where a track should reappear, and whether that guess is precise (see
/// cvb_frontend_set_predictions).
struct Prediction {
    cv::Point2f pt;
    bool precise = false;
};

/// Tracks the previous frame's features into the current pyramid (frontend_track.cpp).
void trackFeatures(cvb_frontend &fe);

} // namespace cvb

struct cvb_frontend {
    cvb_frontend_config cfg;
    int width, height;
    cvb::GradientPyramid prev, cur;
    std::unordered_map<int64_t, cvb::Prediction> predictions;
    std::vector<cvb::Track> tracks;
    int64_t nextId = 0;
};
