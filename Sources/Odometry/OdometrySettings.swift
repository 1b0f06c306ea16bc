import Frontend

extension OdometryConfig {
    /// Every odometry setting (the front end's included) with its key and allowed range: the one
    /// table configuration files are read through and configurations are validated against.
    public static let settings: [Setting<OdometryConfig>] = FrontendConfig.settings.map { $0.lifted(\.frontend) } + [
        .choice("weighting", \.weighting),
        .choice("residual", \.residual),
        .flag("selector", \.selectorEnabled),
        .integer("selected_points", \.selectedPoints, SettingBounds(3, 100_000)),
        .number("selector_border", \.selectorBorder, .nonNegative),
        .number("selector_median_factor", \.selectorMedianFactor, SettingBounds(1, .infinity)),
        .number("min_disparity", \.minDisparity, .positive),
        .number("inlier_chi2", \.inlierChiSquare, .positive),
        .number("huber", \.huberThreshold, .positive),
        .integer("ransac_iterations", \.ransacIterations, SettingBounds(1, 100_000)),
        .number("ransac_confidence", \.ransacConfidence, SettingBounds(0, 1, lowerOpen: true, upperOpen: true)),
        .integer("min_inliers", \.minInliers, SettingBounds(3, 100_000)),
        .integer("retrack_levels", \.retrackLevels, SettingBounds(0, 4)),
        .number("keyframe_inlier_fraction", \.keyframeInlierFraction, SettingBounds(0, 1, lowerOpen: true)),
        .number("keyframe_translation", \.keyframeTranslation, .positive),
        .number("keyframe_rotation", \.keyframeRotation, SettingBounds(0, Double.pi, lowerOpen: true)),
        .integer("window_size", \.windowSize, SettingBounds(0, 50)),
        .flag("describe_keyframes", \.describeKeyframes),
        .flag("bundle_adjustment", \.bundleAdjustment),
        .flag("bundle_adjustment_refines_points", \.bundleAdjustmentRefinesPoints),
        .flag("bundle_adjustment_all_points", \.bundleAdjustmentAllPoints),
        .number("disparity_offset", \.disparityOffset, SettingBounds(-20, 20)),
        .flag("estimate_disparity_offset", \.estimateDisparityOffset),
        .integer("bundle_adjustment_iterations", \.bundleAdjustmentIterations, SettingBounds(1, 100)),
        .integer("solver_iterations", \.solverIterations, SettingBounds(1, 1000)),
        .number("measurement_variance_floor", \.measurementVarianceFloor, .nonNegative),
        .number("motion_prior_translation", \.motionPriorTranslation, .nonNegative),
        .number("motion_prior_rotation", \.motionPriorRotation, .nonNegative),
        .integer("seed", \.seedSetting, SettingBounds(-9.3e18, 9.3e18)),
    ]

    /// The first setting whose value is not allowed (each range, then the relations between
    /// settings), or nil when the configuration is valid.
    public var violation: SettingError? {
        if let v = Self.settings.lazy.compactMap({ $0.violation(in: self) }).first { return v }
        if selectedPoints < minInliers {
            return SettingError(key: "selected_points", value: "\(selectedPoints)",
                                allowed: "at least min_inliers (\(minInliers)): fewer points can never track")
        }
        if bundleAdjustmentRefinesPoints && !(bundleAdjustment && windowSize > 1) {
            return SettingError(key: "bundle_adjustment_refines_points", value: "true",
                                allowed: "false unless bundle_adjustment is true and window_size above 1: no adjustment, no refined points")
        }
        return nil
    }
}
