import Datasets
import Foundation
import Frontend
import Pipeline
import Yams

/// A batch of runs described once (YAML):
///
/// ```yaml
/// defaults:                          # optional: for every run
///   loop_closure: on                 # on/off (or true/false)
///   frames: 500                      # optional: at most this many frames
///   config: {fast_threshold: 12}     # any key of `parallax run --config`
/// runs:
///   - {name: k06, dataset: kitti, path: /data/kitti/odometry, sequence: "06"}
///   - {name: v101, dataset: euroc, path: /data/euroc/V1_01_easy, config: {min_inliers: 20}}
/// ```
/// A run's own keys override the defaults; its `config` keys override the defaults' `config`.
/// Every value is checked when the manifest is read, with the manifest's file and line.
public struct BatchManifest: Sendable {
    /// One run: where its data is and the exact `parallax run` it stands for.
    public struct Run: Sendable, Equatable {
        public var name: String
        public var dataset: String, path: String, sequence: String?
        public var frames: Int?
        public var loopClosure: Bool?
        /// Configuration keys and values (as text, unquoted), in order.
        public var config: [(key: String, value: String)]

        public static func == (a: Run, b: Run) -> Bool {
            a.name == b.name && a.dataset == b.dataset && a.path == b.path && a.sequence == b.sequence && a.frames == b.frames
                && a.loopClosure == b.loopClosure && a.config.map(\.key) == b.config.map(\.key) && a.config.map(\.value) == b.config.map(\.value)
        }

        /// The configuration file the run reads (`--config`).
        public var configYAML: String {
            "# written by parallax batch\n" + config.map { key, value in
                let text = PipelineConfig.settings.first { $0.key == key }?.kind == .text
                return "\(key): \(text ? yamlQuoted(value) : value)\n"
            }.joined()
        }

        /// The `parallax run` arguments of this run, writing into `folder`, with `configFile`
        /// (which holds `configYAML`).
        public func arguments(folder: String, configFile: String) -> [String] {
            var a = ["run", "--dataset", dataset, path, "--out", folder, "--config", configFile, "--quiet", "--overwrite"]
            if let sequence { a += ["--sequence", sequence] }
            if let frames { a += ["--frames", String(frames)] }
            return a
        }
    }

    public let path: String
    public var runs: [Run]

    static let runKeys = ["name", "dataset", "path", "sequence", "frames", "loop_closure", "config"]
    static let defaultKeys = ["loop_closure", "frames", "config"]
    static let layouts = ["kitti", "tartanair", "euroc", "generic"]

    public init(path: String) throws(DatasetError) {
        let file = try YAMLFile(path: path)
        try file.requireKnownKeys(["defaults", "runs"])
        self.path = path
        var defaults: [String: (node: Node, line: Int)] = [:]
        if let d = file["defaults"] {
            defaults = try Self.mapping(d.node, line: d.line, known: Self.defaultKeys, path: path, what: "defaults")
        }
        guard let list = file["runs"], let items = list.node.sequence, !items.isEmpty else {
            throw .malformed(path, line: file["runs"]?.line ?? 1, "'runs' must be a non-empty list of runs")
        }
        var names: Set<String> = []
        runs = try items.map { (item) throws(DatasetError) -> Run in
            let line = (item.mark?.line ?? list.line)
            let own = try Self.mapping(item, line: line, known: Self.runKeys, path: path, what: "a run")
            let run = try Self.run(own, defaults: defaults, line: line, path: path)
            guard names.insert(run.name).inserted else { throw .malformed(path, line: line, "run name '\(run.name)' given twice") }
            return run
        }
    }

    /// A mapping's entries by key (with their lines), refusing unknown keys.
    static func mapping(_ node: Node, line: Int, known: [String], path: String, what: String) throws(DatasetError) -> [String: (node: Node, line: Int)] {
        guard let m = node.mapping else { throw .malformed(path, line: line, "\(what) must be a mapping of keys to values") }
        var out: [String: (Node, Int)] = [:]
        for (k, v) in m {
            let l = k.mark?.line ?? line
            guard let key = k.string else { throw .malformed(path, line: l, "a key must be text") }
            guard known.contains(key) else { throw .malformed(path, line: l, "unknown key '\(YAMLFile.printable(key))' in \(what) (known: \(known.joined(separator: ", ")))") }
            out[key] = (v, l)
        }
        return out
    }

    static func run(_ own: [String: (node: Node, line: Int)], defaults: [String: (node: Node, line: Int)], line: Int,
                    path: String) throws(DatasetError) -> Run {
        func text(_ key: String, required: Bool) throws(DatasetError) -> String? {
            guard let e = own[key] else {
                if required { throw .malformed(path, line: line, "a run needs '\(key)'") }
                return nil
            }
            guard let s = e.node.scalar?.string, !s.isEmpty else { throw .malformed(path, line: e.line, "'\(key)' must be text") }
            return s
        }
        guard let name = try text("name", required: true), let dataset = try text("dataset", required: true)?.lowercased(),
              let dataPath = try text("path", required: true) else { throw .malformed(path, line: line, "a run needs name, dataset and path") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw .malformed(path, line: own["name"]?.line ?? line, "run name '\(YAMLFile.printable(name))' must be letters, digits, '-', '_' or '.' (it names a folder)")
        }
        guard layouts.contains(dataset) else {
            throw .malformed(path, line: own["dataset"]?.line ?? line, "dataset '\(YAMLFile.printable(dataset))' is not one of \(layouts.joined(separator: ", "))")
        }
        var run = Run(name: name, dataset: dataset, path: resolve(dataPath, against: path), sequence: try text("sequence", required: false), frames: nil,
                      loopClosure: nil, config: [])
        for source in [defaults, own] {
            if let f = source["frames"] {
                guard let n = f.node.int, n > 0 else { throw .malformed(path, line: f.line, "frames must be a positive integer") }
                run.frames = n
            }
            if let c = source["config"] { run.config = try merged(run.config, c.node, line: c.line, path: path) }
            // `loop_closure` at this level is the config key of the same name (it wins over this
            // level's `config`, and a run's own over the defaults').
            if let l = source["loop_closure"] {
                guard let b = l.node.bool ?? ["on": true, "off": false][l.node.string ?? ""] else {
                    throw .malformed(path, line: l.line, "loop_closure must be on or off")
                }
                run.loopClosure = b
                run.config.removeAll { $0.key == "loop_closure" }
                run.config.append(("loop_closure", "\(b)"))
            }
        }
        // A vocabulary file, like the data, is found relative to the manifest.
        if let v = run.config.firstIndex(where: { $0.key == "vocabulary" }), !["first-use", "hashed"].contains(run.config[v].value) {
            run.config[v].value = resolve(run.config[v].value, against: path)
        }
        return run
    }

    /// `base` with the settings of a `config` mapping applied, each checked against the
    /// pipeline's settings table (key and range) at its line.
    static func merged(_ base: [(key: String, value: String)], _ node: Node, line: Int, path: String) throws(DatasetError) -> [(key: String, value: String)] {
        let entries = try mapping(node, line: line, known: PipelineConfig.settings.map(\.key), path: path, what: "config")
        var out = base
        for (key, e) in entries.sorted(by: { $0.value.line < $1.value.line }) {
            guard let setting = PipelineConfig.settings.first(where: { $0.key == key }), let scalar = YAMLFile.scalar(e.node) else {
                throw .malformed(path, line: e.line, "\(key): expected a single value")
            }
            var probe = PipelineConfig()
            do throws(SettingError) { try setting.apply(SettingValue(scalar), to: &probe) } catch {
                throw .malformed(path, line: e.line, error.description)
            }
            let text = setting.value(in: probe)
            out.removeAll { $0.key == key }
            out.append((key, text))
        }
        return out
    }
}

/// `path` as an absolute path: relative paths in a manifest are relative to its folder (so that a
/// batch means the same whatever the working directory, on this machine or on a cluster's node).
func resolve(_ path: String, against manifest: String) -> String {
    let base = URL(fileURLWithPath: manifest).deletingLastPathComponent()
    return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
}
