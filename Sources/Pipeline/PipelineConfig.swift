import Datasets
import Foundation
import Frontend
import LoopClosure
import Odometry

/// The whole configuration of a pipeline, with documented defaults: the odometry (front end,
/// pose solver, keyframes, window, bundle adjustment) and loop closure. One table of settings
/// (`settings`) reads it from YAML and writes it back (`yaml`), every value range-checked.
public struct PipelineConfig: Sendable {
    /// Front end, pose solver, keyframes, window and bundle adjustment (`OdometryConfig.settings`).
    public var odometry = OdometryConfig()
    /// Whether loops are detected and corrected. Default true. Key `loop_closure`.
    public var loopClosureEnabled = true
    /// Place recognition, verification and correction (`LoopClosureConfig.settings`); its
    /// `words` are set from `vocabulary` when the pipeline starts.
    public var loopClosure = LoopClosureConfig()
    /// Where place recognition gets its words: `first-use` (a vocabulary trained on the run's
    /// first keyframes; default), `hashed` (no training) or the path of a file written by
    /// `parallax vocab`. Key `vocabulary`.
    public var vocabulary = "first-use"

    public init() {}

    /// Every setting, with its key and allowed range.
    public static let settings: [Setting<PipelineConfig>] = OdometryConfig.settings.map { $0.lifted(\.odometry) } + [
        .flag("loop_closure", \.loopClosureEnabled),
        .text("vocabulary", \.vocabulary, allowed: "first-use, hashed or the path of a vocabulary file") { !$0.isEmpty },
    ] + LoopClosureConfig.settings.map { $0.lifted(\.loopClosure) }

    /// The first setting whose value is not allowed, or nil.
    public var violation: SettingError? {
        odometry.violation ?? Self.settings.lazy.compactMap { $0.violation(in: self) }.first
    }

    /// `base` with the settings of a YAML file applied: unknown keys, values of the wrong type or
    /// out of range are errors naming the file, the line and the key.
    public init(yaml path: String, base: PipelineConfig = PipelineConfig()) throws(DatasetError) {
        self = try Self.settings.read(yaml: path, base: base, violation: \.violation)
    }

    /// Every setting as YAML (`key: value` lines); reading it back gives this configuration.
    public var yaml: String { Self.settings.yaml(self) }

    /// The loop closer's configuration with its words resolved (a vocabulary file is read here),
    /// or nil with loop closure off.
    public func resolvedLoopClosure() throws(PipelineError) -> LoopClosureConfig? {
        guard loopClosureEnabled else { return nil }
        var c = loopClosure
        switch vocabulary {
        case "first-use": if case .trainOnFirstUse = c.words {} else { c.words = LoopClosureConfig().words }
        case "hashed": c.words = .hashed
        default:
            do { c.words = .vocabulary(try Vocabulary(contentsOf: URL(fileURLWithPath: vocabulary))) } catch {
                throw .configuration("vocabulary: \(error)")
            }
        }
        return c
    }
}
