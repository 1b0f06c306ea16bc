import Datasets
import Foundation
import Frontend
import Geometry
import Odometry
import Pipeline
import Testing
import TestSupport

/// Every configuration value is range-checked where it enters: a YAML file (file, line, key,
/// allowed range) or a configuration built in code (the VO refuses it).
@Suite struct ConfigurationTests {
    static func load(_ text: String) throws -> OdometryConfig {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let path = dir.url.appendingPathComponent("odometry.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try OdometryConfig(yaml: path)
    }

    /// Each of these ran with exit 0 (or failed at the first frame with a vague message) before.
    @Test(arguments: [("huber: -1", "huber"), ("lk_levels: 0", "lk_levels"), ("selected_points: 0", "selected_points"),
                      ("inlier_chi2: 0", "inlier_chi2"), ("min_inliers: -4", "min_inliers"), ("fast_threshold: -3", "fast_threshold"),
                      ("measurement_variance_floor: -1", "measurement_variance_floor"), ("max_features: 0", "max_features"),
                      ("motion_prior_translation: -0.1", "motion_prior_translation"), ("lk_window: 10", "lk_window"),
                      ("weighting: fancy", "weighting"), ("huber: .nan", "huber"), ("selector: 3", "selector")])
    func outOfRangeValuesNameFileLineKeyAndRange(entry: String, key: String) {
        #expect { try Self.load("window_size: 5\n\(entry)\n") } throws: { e in
            guard case let .malformed(p, 2, why) = e as? DatasetError else { return false }
            return p.hasSuffix("odometry.yaml") && why.hasPrefix("\(key): ") && why.contains("allowed: ")
        }
    }

    @Test func unknownKeysAndContradictionsAreErrors() {
        #expect { try Self.load("huberr: 2\n") } throws: { e in "\(e)".contains(":1: unknown key 'huberr' (did you mean 'huber'?)") }
        #expect { try Self.load("selected_points: 10\nmin_inliers: 20\n") } throws: { e in
            "\(e)".contains(":1: selected_points: 10") && "\(e)".contains("min_inliers")
        }
        #expect { try Self.load("bundle_adjustment: false\nbundle_adjustment_refines_points: true\n") } throws: { e in
            "\(e)".contains("bundle_adjustment_refines_points: true") && "\(e)".contains("bundle_adjustment is true")
        }
    }

    @Test func validFilesSetEveryKindOfValue() throws {
        let c = try Self.load("huber: 3\nlk_levels: 2\nweighting: diagonal\nselector: false\nmin_disparity: 2\nambiguity_ratio: 0.9\n")
        #expect(c.huberThreshold == 3 && c.frontend.lkLevels == 2 && c.weighting == .diagonal && !c.selectorEnabled)
        #expect(c.minDisparity == 2 && c.frontend.ambiguityRatio == 0.9)
        #expect(OdometryConfig().violation == nil, "the defaults must be valid")
        #expect(Set(OdometryConfig.settings.map(\.key)).count == OdometryConfig.settings.count, "keys must be unique")
    }

    @Test func theOdometryRefusesAnInvalidConfigurationBuiltInCode() {
        var c = OdometryConfig()
        c.huberThreshold = -1
        let camera = StereoCamera(fx: 100, fy: 100, cx: 32, cy: 24, baseline: 0.5, width: 64, height: 48)
        #expect { try VisualOdometry(camera: camera, config: c) } throws: { e in "\(e)".contains("huber: -1.0 is not allowed") }
    }
}

/// The pipeline's one configuration: written as YAML or JSON and read back, it is the same;
/// decoding checks ranges as reading a file does.
@Suite struct PipelineConfigurationTests {
    static func custom() -> PipelineConfig {
        var c = PipelineConfig()
        c.odometry.huberThreshold = 3.1
        c.odometry.weighting = .diagonal
        c.odometry.frontend.ambiguityRatio = 0.7
        c.odometry.seed = 99
        c.loopClosureEnabled = false
        c.vocabulary = "1.5"          // a file name YAML would read as a number unless quoted
        c.loopClosure.gate = 30.25
        c.loopClosure.refineKeyframes = false
        return c
    }

    @Test func yamlRoundTripGivesTheSameConfiguration() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let path = dir.url.appendingPathComponent("config.yaml").path
        let c = Self.custom()
        try c.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let back = try PipelineConfig(yaml: path)
        #expect(back.yaml == c.yaml)
        #expect(back.odometry.huberThreshold == 3.1 && back.odometry.weighting == .diagonal && back.odometry.seed == 99)
        #expect(back.vocabulary == "1.5" && !back.loopClosureEnabled && back.loopClosure.gate == 30.25)
        #expect(c.yaml.split(separator: "\n").count == PipelineConfig.settings.count)
    }

    @Test func jsonRoundTripAndRangeChecks() throws {
        let c = Self.custom()
        let data = try JSONEncoder().encode(c)
        let back = try JSONDecoder().decode(PipelineConfig.self, from: data)
        #expect(back.yaml == c.yaml)
        #expect { try JSONDecoder().decode(PipelineConfig.self, from: Data(#"{"huber": -1}"#.utf8)) } throws: { e in
            "\(e)".contains("huber: -1.0 is not allowed")
        }
        #expect { try JSONDecoder().decode(PipelineConfig.self, from: Data(#"{"hubber": 2}"#.utf8)) } throws: { e in
            "\(e)".contains("unknown key 'hubber'")
        }
        #expect { try JSONDecoder().decode(PipelineConfig.self, from: Data(#"{"loop_closure": 3}"#.utf8)) } throws: { _ in true }
    }
}
