import Foundation
import Geometry
import Yams

/// A scalar of a YAML file, typed as YAML resolves it.
public enum YAMLScalar: Sendable, Equatable {
    case integer(Int)
    case number(Double)
    case flag(Bool)
    case text(String)

    /// The value as a finite real number, when it is one (integers included).
    public var real: Double? {
        switch self {
        case let .number(x): x.isFinite ? x : nil
        case let .integer(x): Double(x)
        default: nil
        }
    }
}

/// The top-level mapping of a small YAML file (configurations, calibrations), each key with its
/// 1-based line, so that every error can name file and line. Windows (CRLF) line ends and
/// OpenCV-style `%YAML:1.0` directive lines are accepted.
public struct YAMLFile {
    public struct Entry {
        public let key: String
        public let node: Node
        public let line: Int
    }

    public let path: String
    public let entries: [Entry]

    public init(path: String) throws(DatasetError) {
        // "%YAML:1.0" (OpenCV) is not a YAML 1.1 directive; blank such lines, keeping line numbers.
        let text = try textLines(URL(fileURLWithPath: path)).map { $0.hasPrefix("%") ? "" : String($0) }.joined(separator: "\n")
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            let line = (error as? YamlError).flatMap(Self.line(of:))
            throw .malformed(path, line: line ?? 1, "not valid YAML: \(Self.printable("\(error)"))")
        }
        // An empty document (nothing, or comments only) is an empty mapping: a file that sets nothing.
        guard let mapping = root.map({ $0.mapping }) ?? Node.Mapping([]) else {
            throw .malformed(path, line: 1, "expected a mapping of keys to values")
        }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for (k, v) in mapping {
            let line = k.mark?.line ?? 1
            guard let key = k.string else { throw .malformed(path, line: line, "a key must be text") }
            if let first = seen[key] { throw .malformed(path, line: line, "'\(key)' given again (first on line \(first))") }
            seen[key] = line
            entries.append(Entry(key: key, node: v, line: line))
        }
        self.path = path
        self.entries = entries
    }

    /// The entry of `key`, if present.
    public subscript(key: String) -> Entry? { entries.first { $0.key == key } }

    /// Throws for the first key not in `known`, naming its line and the nearest known key.
    public func requireKnownKeys(_ known: [String]) throws(DatasetError) {
        for e in entries where !known.contains(e.key) {
            let nearest = known.min { editDistance($0, e.key) < editDistance($1, e.key) }
            let hint = nearest.map { editDistance($0, e.key) <= 3 ? " (did you mean '\($0)'?)" : "" } ?? ""
            throw .malformed(path, line: e.line, "unknown key '\(Self.printable(e.key))'\(hint); known keys: \(known.joined(separator: ", "))")
        }
    }

    /// A scalar value as YAML types it; nil for sequences and mappings.
    public static func scalar(_ node: Node) -> YAMLScalar? {
        guard case let .scalar(s) = node else { return nil }
        if s.style == .plain {
            if let b = node.bool { return .flag(b) }
            if let i = node.int { return .integer(i) }
            if let x = node.float { return .number(x) }
        }
        return .text(s.string)
    }

    /// Text safe to print on a terminal (`printableText`), short enough for a message.
    public static func printable(_ text: String) -> String { printableText(text, limit: 200) }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): mark.line
        default: nil
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var diagonal = row[0]
        row[0] = i
        for j in 0..<b.count {
            let next = min(row[j + 1] + 1, row[j] + 1, diagonal + (a[i - 1] == b[j] ? 0 : 1))
            diagonal = row[j + 1]
            row[j + 1] = next
        }
    }
    return row[b.count]
}
