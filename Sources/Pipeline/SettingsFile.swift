import Datasets
import Frontend
import Odometry

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
            // Text is always quoted: YAML would read `on`, `True`, `.inf` or `1_000` as another type.
            return "\(s.key): \(s.kind == .text ? yamlQuoted(v) : v)\n"
        }.joined()
    }
}

/// `text` as a double-quoted YAML scalar (backslashes and quotes escaped).
public func yamlQuoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

extension SettingValue {
    /// A YAML scalar as a setting value.
    public init(_ scalar: YAMLScalar) {
        switch scalar {
        case let .integer(v): self = .integer(v)
        case let .number(v): self = .number(v)
        case let .flag(v): self = .flag(v)
        case let .text(v): self = .text(v)
        }
    }
}
