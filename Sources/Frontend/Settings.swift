import Foundation

/// A value given for a setting, as a configuration file spells it.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case flag(Bool)
    case text(String)

    public var description: String {
        switch self {
        case let .integer(v): "\(v)"
        case let .number(v): "\(v)"
        case let .flag(v): "\(v)"
        case let .text(v): "'\(v)'"
        }
    }
}

/// A setting given a value it does not allow: its key, the value and what is allowed.
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let value: String
    public let allowed: String
    public init(key: String, value: String, allowed: String) { self.key = key; self.value = value; self.allowed = allowed }
    public var description: String { "\(key): \(value) is not allowed (allowed: \(allowed))" }
}

/// The closed or open interval a numeric setting must lie in.
public struct SettingBounds: Sendable {
    public let lower: Double, upper: Double
    public let lowerOpen: Bool, upperOpen: Bool

    /// `[lower, upper]`, or open on the sides so marked; `.infinity` for no upper bound.
    public init(_ lower: Double, _ upper: Double, lowerOpen: Bool = false, upperOpen: Bool = false) {
        self.lower = lower; self.upper = upper; self.lowerOpen = lowerOpen; self.upperOpen = upperOpen || upper == .infinity
    }

    /// Finite values above zero.
    public static let positive = SettingBounds(0, .infinity, lowerOpen: true)
    /// Finite values at or above zero.
    public static let nonNegative = SettingBounds(0, .infinity)

    public func contains(_ x: Double) -> Bool {
        x.isFinite && (lowerOpen ? x > lower : x >= lower) && (upperOpen ? x < upper : x <= upper)
    }

    /// "in (0, ∞)" for numbers, "in 1…8" for integers.
    func text(integer: Bool) -> String {
        func f(_ x: Double) -> String { x == .infinity ? "∞" : (x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)") }
        if integer { return "in \(f(lower))…\(f(upper))" }
        return "in \(lowerOpen ? "(" : "[")\(f(lower)), \(f(upper))\(upperOpen ? ")" : "]")"
    }
}

/// The type of a setting's values.
public enum SettingKind: Sendable { case integer, number, flag, text }

/// One setting of a configuration `Config`: its key, what it allows, and how to set and check
/// it. The tables of settings are the single place where keys and ranges are defined: files are
/// read through them and configurations built in code are validated against them.
public struct Setting<Config>: @unchecked Sendable {
    /// The key in configuration files.
    public let key: String
    /// What the setting allows, in words ("an integer in 1…8", "full, diagonal or identity").
    public let allowed: String
    /// The type of its values.
    public let kind: SettingKind
    private let assign: (inout Config, SettingValue) -> Bool
    private let valid: (Config) -> Bool
    private let current: (Config) -> String

    /// Sets the value when its type and range are allowed; otherwise throws, naming key and range.
    public func apply(_ value: SettingValue, to config: inout Config) throws(SettingError) {
        guard assign(&config, value) else { throw SettingError(key: key, value: value.description, allowed: allowed) }
    }

    /// The error for `config`'s current value, or nil when it is allowed.
    public func violation(in config: Config) -> SettingError? {
        valid(config) ? nil : SettingError(key: key, value: current(config), allowed: allowed)
    }

    /// The current value as text (for summaries and written configurations).
    public func value(in config: Config) -> String { current(config) }

    /// The same setting on a configuration nested at `path` in `Outer`.
    public func lifted<Outer>(_ path: WritableKeyPath<Outer, Config>) -> Setting<Outer> {
        Setting<Outer>(key: key, allowed: allowed, kind: kind,
                       assign: { outer, v in assign(&outer[keyPath: path], v) },
                       valid: { valid($0[keyPath: path]) }, current: { current($0[keyPath: path]) })
    }

    private init(key: String, allowed: String, kind: SettingKind, assign: @escaping (inout Config, SettingValue) -> Bool,
                 valid: @escaping (Config) -> Bool, current: @escaping (Config) -> String) {
        self.key = key; self.allowed = allowed; self.kind = kind
        self.assign = assign; self.valid = valid; self.current = current
    }

    /// An integer setting in `bounds`; `odd` also requires an odd value.
    public static func integer(_ key: String, _ path: WritableKeyPath<Config, Int>, _ bounds: SettingBounds,
                               odd: Bool = false) -> Setting {
        let ok = { (v: Int) in bounds.contains(Double(v)) && (!odd || v % 2 != 0) }
        return Setting(key: key, allowed: "\(odd ? "an odd integer" : "an integer") \(bounds.text(integer: true))", kind: .integer,
                       assign: { c, v in
                           guard case let .integer(x) = v, ok(x) else { return false }
                           c[keyPath: path] = x; return true
                       }, valid: { ok($0[keyPath: path]) }, current: { "\($0[keyPath: path])" })
    }

    /// A real-valued setting in `bounds` (integers in the file are accepted as numbers).
    public static func number(_ key: String, _ path: WritableKeyPath<Config, Double>, _ bounds: SettingBounds) -> Setting {
        Setting(key: key, allowed: "a number \(bounds.text(integer: false))", kind: .number,
                assign: { c, v in
                    guard let x = v.real, bounds.contains(x) else { return false }
                    c[keyPath: path] = x; return true
                }, valid: { bounds.contains($0[keyPath: path]) }, current: { "\($0[keyPath: path])" })
    }

    /// A single-precision real-valued setting in `bounds`.
    public static func number(_ key: String, _ path: WritableKeyPath<Config, Float>, _ bounds: SettingBounds) -> Setting {
        Setting(key: key, allowed: "a number \(bounds.text(integer: false))", kind: .number,
                assign: { c, v in
                    guard let x = v.real, bounds.contains(x) else { return false }
                    c[keyPath: path] = Float(x); return true
                }, valid: { bounds.contains(Double($0[keyPath: path])) }, current: { "\($0[keyPath: path])" })
    }

    /// A true/false setting.
    public static func flag(_ key: String, _ path: WritableKeyPath<Config, Bool>) -> Setting {
        Setting(key: key, allowed: "true or false", kind: .flag,
                assign: { c, v in
                    guard case let .flag(x) = v else { return false }
                    c[keyPath: path] = x; return true
                }, valid: { _ in true }, current: { "\($0[keyPath: path])" })
    }

    /// A text setting; `allowed` says in words what `isAllowed` accepts.
    public static func text(_ key: String, _ path: WritableKeyPath<Config, String>, allowed: String,
                            _ isAllowed: @escaping @Sendable (String) -> Bool) -> Setting {
        Setting(key: key, allowed: allowed, kind: .text,
                assign: { c, v in
                    guard case let .text(s) = v, isAllowed(s) else { return false }
                    c[keyPath: path] = s; return true
                }, valid: { isAllowed($0[keyPath: path]) }, current: { $0[keyPath: path] })
    }

    /// A setting that takes one of an enumeration's raw values.
    public static func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ path: WritableKeyPath<Config, E>) -> Setting
    where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        let allowed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1] : names.joined()
        return Setting(key: key, allowed: allowed, kind: .text,
                       assign: { c, v in
                           guard case let .text(s) = v, let e = E(rawValue: s) else { return false }
                           c[keyPath: path] = e; return true
                       }, valid: { _ in true }, current: { $0[keyPath: path].rawValue })
    }
}

extension SettingValue {
    /// The value as a real number, when it is one.
    var real: Double? {
        switch self {
        case let .number(x): x
        case let .integer(x): Double(x)
        default: nil
        }
    }
}

extension FrontendConfig {
    /// Every front-end setting with its key and allowed range.
    public static let settings: [Setting<FrontendConfig>] = [
        .integer("max_features", \.maxFeatures, SettingBounds(1, 100_000)),
        .integer("grid_columns", \.gridColumns, SettingBounds(1, 256)),
        .integer("grid_rows", \.gridRows, SettingBounds(1, 256)),
        .integer("fast_threshold", \.fastThreshold, SettingBounds(1, 255)),
        .integer("min_distance", \.minDistance, SettingBounds(1, 1000)),
        .integer("border", \.border, SettingBounds(0, 1000)),
        .integer("stereo_radius", \.stereoRadius, SettingBounds(1, 15)),
        .integer("max_disparity", \.maxDisparity, SettingBounds(1, 4096)),
        .number("ambiguity_ratio", \.ambiguityRatio, SettingBounds(0, 1, lowerOpen: true)),
        .number("left_right_tolerance", \.leftRightTolerance, .positive),
        .flag("edge_check", \.edgeCheck),
        .number("stereo_support_radius", \.stereoSupportRadius, .nonNegative),
        .integer("lk_window", \.lkWindow, SettingBounds(5, 101), odd: true),
        .integer("lk_levels", \.lkLevels, SettingBounds(1, 10)),
        .number("forward_backward_threshold", \.forwardBackwardThreshold, .positive),
        .number("minimum_correlation", \.minimumCorrelation, SettingBounds(-1, 1)),
        .number("disparity_variance_scale", \.disparityVarianceScale, .positive),
        .number("disparity_variance_floor", \.disparityVarianceFloor, .nonNegative),
        .number("disparity_rig_variance", \.disparityRigVariance, .nonNegative),
        .number("flow_variance_scale", \.flowVarianceScale, .positive),
        .number("flow_variance_floor", \.varianceFloor, .nonNegative),
        .number("detection_variance", \.detectionVariance, .positive),
    ]

    /// The first setting whose value is not allowed, or nil.
    public var violation: SettingError? { Self.settings.lazy.compactMap { $0.violation(in: self) }.first }
}
