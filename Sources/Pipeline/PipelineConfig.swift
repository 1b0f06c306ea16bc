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

/// Encoded and decoded through the same table of settings as YAML files: one key per setting,
/// values as numbers, flags or text, each range-checked when decoded.
extension PipelineConfig: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var config = PipelineConfig()
        for key in container.allKeys {
            guard let setting = Self.settings.first(where: { $0.key == key.stringValue }) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "unknown key '\(key.stringValue)'")
            }
            let value: SettingValue
            switch setting.kind {
            case .flag: value = .flag(try container.decode(Bool.self, forKey: key))
            case .integer: value = .integer(try container.decode(Int.self, forKey: key))
            case .number: value = .number(try container.decode(Double.self, forKey: key))
            case .text: value = .text(try container.decode(String.self, forKey: key))
            }
            do { try setting.apply(value, to: &config) } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: error.description)
            }
        }
        if let v = config.violation {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: v.description))
        }
        self = config
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for setting in Self.settings {
            let text = setting.value(in: self), key = Key(stringValue: setting.key)
            switch setting.kind {
            case .flag: try container.encode(text == "true", forKey: key)
            case .integer: try container.encode(Int(text) ?? 0, forKey: key)
            case .number: try container.encode(Double(text) ?? .nan, forKey: key)
            case .text: try container.encode(text, forKey: key)
            }
        }
    }
}
