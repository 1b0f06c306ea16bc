import Datasets
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
        .number("keyframe_inlier_fraction", \.keyframeInlierFraction, SettingBounds(0, 1, lowerOpen: true)),
        .number("keyframe_translation", \.keyframeTranslation, .positive),
        .number("keyframe_rotation", \.keyframeRotation, SettingBounds(0, Double.pi, lowerOpen: true)),
        .integer("window_size", \.windowSize, SettingBounds(0, 50)),
        .flag("describe_keyframes", \.describeKeyframes),
        .flag("bundle_adjustment", \.bundleAdjustment),
        .integer("bundle_adjustment_iterations", \.bundleAdjustmentIterations, SettingBounds(1, 100)),
        .integer("solver_iterations", \.solverIterations, SettingBounds(1, 1000)),
        .number("measurement_variance_floor", \.measurementVarianceFloor, .nonNegative),
        .number("motion_prior_translation", \.motionPriorTranslation, .nonNegative),
        .number("motion_prior_rotation", \.motionPriorRotation, .nonNegative),
    ]

    /// The first setting whose value is not allowed (each range, then the relations between
    /// settings), or nil when the configuration is valid.
    public var violation: SettingError? {
        if let v = Self.settings.lazy.compactMap({ $0.violation(in: self) }).first { return v }
        if selectedPoints < minInliers {
            return SettingError(key: "selected_points", value: "\(selectedPoints)",
                                allowed: "at least min_inliers (\(minInliers)): fewer points can never track")
        }
        return nil
    }
}

extension OdometryConfig {
    /// `base` with the settings of a YAML file applied (keys as in `settings`). Every value is
    /// checked: an unknown key, a value of the wrong type or outside its range, and a
    /// configuration whose settings contradict each other are errors naming file, line and key.
    public init(yaml path: String, base: OdometryConfig = OdometryConfig()) throws(DatasetError) {
        let file = try YAMLFile(path: path)
        try file.requireKnownKeys(Self.settings.map(\.key))
        var config = base
        for entry in file.entries {
            guard let setting = Self.settings.first(where: { $0.key == entry.key }) else { continue }
            do throws(SettingError) {
                guard let scalar = YAMLFile.scalar(entry.node) else {
                    throw SettingError(key: entry.key, value: "a list or mapping", allowed: setting.allowed)
                }
                try setting.apply(SettingValue(scalar), to: &config)
            } catch {
                throw .malformed(path, line: entry.line, YAMLFile.printable(error.description))
            }
        }
        if let violation = config.violation {
            // A contradiction may involve a key the file does not set: point at one it does.
            let line = file[violation.key]?.line ?? file["min_inliers"]?.line ?? 1
            throw .malformed(path, line: line, violation.description)
        }
        self = config
    }
}

extension SettingValue {
    init(_ scalar: YAMLScalar) {
        switch scalar {
        case let .integer(v): self = .integer(v)
        case let .number(v): self = .number(v)
        case let .flag(v): self = .flag(v)
        case let .text(v): self = .text(v)
        }
    }
}
