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
        .integer("seed", \.seedSetting, SettingBounds(0, 9.2e18)),
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
        self = try Self.settings.read(yaml: path, base: base, violation: \.violation)
    }
}

extension Array {
    /// `base` with the settings of a YAML file applied through this table of settings. An unknown
    /// key, a value of the wrong type or outside its range, and a configuration `violation` finds
    /// wrong are errors naming file, line and key.
    public func read<Config>(yaml path: String, base: Config, violation: (Config) -> SettingError?) throws(DatasetError) -> Config
    where Element == Setting<Config> {
        let file = try YAMLFile(path: path)
        try file.requireKnownKeys(map(\.key))
        var config = base
        for entry in file.entries {
            guard let setting = first(where: { $0.key == entry.key }) else { continue }
            do throws(SettingError) {
                guard let scalar = YAMLFile.scalar(entry.node) else {
                    throw SettingError(key: entry.key, value: "a list or mapping", allowed: setting.allowed)
                }
                try setting.apply(SettingValue(scalar), to: &config)
            } catch {
                throw .malformed(path, line: entry.line, YAMLFile.printable(error.description))
            }
        }
        if let v = violation(config) {
            // A contradiction may involve a key the file does not set: point at one it does.
            let line = file[v.key]?.line ?? file.entries.first?.line ?? 1
            throw .malformed(path, line: line, v.description)
        }
        return config
    }

    /// Every setting of `config` as YAML, one `key: value` line each, in table order: read back
    /// through the same table, it gives `config` again (numbers are written in their shortest
    /// exact form).
    public func yaml<Config>(_ config: Config) -> String where Element == Setting<Config> {
        map { s in
            let v = s.value(in: config)
            let plain = !v.isEmpty && v.allSatisfy { $0.isLetter || $0.isNumber || "-_.+/".contains($0) }
            let quoted = "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return "\(s.key): \(plain ? v : quoted)\n"
        }.joined()
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
