import Foundation
import TestSupport

/// The ways a valid file is broken: what a careless edit, a bad export or a broken disk does.
enum Mutation: CaseIterable {
    case flipByte, truncate, duplicateLine, deleteLine, hugeNumber, tinyNumber, notANumber, infinity, negative, binaryJunk

    /// A mutant of `bytes`; text mutations fall back to byte flips on files without lines.
    func apply(to bytes: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        guard !bytes.isEmpty else { return [0] }
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
        switch self {
        case .flipByte:
            var b = bytes
            b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            return b
        case .truncate:
            return Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
        case .duplicateLine, .deleteLine:
            guard lines.count > 1 else { return Mutation.flipByte.apply(to: bytes, &rng) }
            let k = Int.random(in: 0..<lines.count, using: &rng)
            if self == .duplicateLine { lines.insert(lines[k], at: k) } else { lines.remove(at: k) }
            return Array(lines.joined(separator: [10]))
        case .hugeNumber: return replaceNumber(lines, with: ["1e308", "-1e308", "9999999999999999999999"], &rng) ?? bytes
        case .tinyNumber: return replaceNumber(lines, with: ["1e-308", "-4.9e-324", "0"], &rng) ?? bytes
        case .notANumber: return replaceNumber(lines, with: ["nan", "NaN", "-nan"], &rng) ?? bytes
        case .infinity: return replaceNumber(lines, with: ["inf", "-inf", "Infinity"], &rng) ?? bytes
        case .negative: return replaceNumber(lines, with: ["-1", "-0.5", "-100000"], &rng) ?? bytes
        case .binaryJunk:
            var b = bytes
            let junk = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
            b.insert(contentsOf: junk, at: Int.random(in: 0...b.count, using: &rng))
            return b
        }
    }

    /// Replaces one numeric token of a random line by one of `values`; nil when there is none.
    private func replaceNumber(_ lines: [[UInt8]], with values: [String], _ rng: inout SplitMix) -> [UInt8]? {
        var lines = lines
        let candidates = lines.indices.filter { i in
            lines[i].contains { (48...57).contains($0) } && lines[i].first != 35   // digits, not a comment
        }
        guard let k = candidates.randomElement(using: &rng) else { return nil }
        var tokens = String(decoding: lines[k], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let numeric = tokens.indices.filter { Double(tokens[$0].trimmingCharacters(in: CharacterSet(charactersIn: ",[]\r"))) != nil }
        guard let t = numeric.randomElement(using: &rng) else { return nil }
        let value = values.randomElement(using: &rng) ?? values[0]
        let token = tokens[t]
        let core = token.trimmingCharacters(in: CharacterSet(charactersIn: ",[]\r"))
        tokens[t] = token.replacingOccurrences(of: core, with: value)
        lines[k] = Array(tokens.joined(separator: " ").utf8)
        return Array(lines.joined(separator: [10]))
    }
}

/// The outcome of one bounded run of a command.
struct BoundedRun {
    var status: Int32
    var crashed: Bool
    var timedOut: Bool
    var out: String
    var err: String

    /// Runs `executable` with a time limit; output goes through files (no pipe can fill up).
    init(_ executable: URL, _ arguments: [String], timeout: TimeInterval, scratch: URL) throws {
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        timedOut = p.isRunning
        if timedOut { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        status = p.terminationStatus
        crashed = !timedOut && p.terminationReason == .uncaughtSignal
        out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    }
}
