import Datasets
import Foundation
import Testing
import TestSupport

/// Mutants of valid files of every kind the engine reads, each run through the command that
/// reads it. For every mutant: no crash and no hang; either a non-zero exit whose message names
/// the file, or a result whose numbers are finite. Bounded: a fixed number of seeded mutants per
/// kind, each with a time limit. `PARALLAX_FUZZ_SEED` and `PARALLAX_FUZZ_MUTANTS` run other or
/// more mutants (the test command uses the defaults, so that its result is reproducible).
@Suite(.enabled(if: builtExecutable("parallax") != nil, "the parallax executable is not built beside the tests"))
struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let mutantsPerKind = environment["PARALLAX_FUZZ_MUTANTS"].flatMap { Int($0) } ?? 40
    static let seed = environment["PARALLAX_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xF022
    static let timeout: TimeInterval = 60

    /// One kind of input: the file mutated, the command that reads it, and where its numbers land.
    struct Kind {
        let name: String
        let file: URL
        let arguments: [String]
        let executable: String
        /// Files (besides stdout) whose numbers must be finite after a successful run.
        let outputs: [URL]
    }

    @Test func mutantsGiveAnErrorNamingTheFileOrFiniteNumbers() throws {
        let parallax = try #require(builtExecutable("parallax"))
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let kinds = try Self.fixtures(in: dir.url, parallax: parallax)
        var rng = SplitMix(state: Self.seed)
        var report: [String] = []
        for kind in kinds {
            let original = try Data(contentsOf: kind.file)
            defer { try? original.write(to: kind.file) }
            var errors = 0, successes = 0
            for k in 0..<Self.mutantsPerKind {
                let mutation = Mutation.allCases[k % Mutation.allCases.count]
                try Data(mutation.apply(to: Array(original), &rng)).write(to: kind.file)
                for output in kind.outputs { try? FileManager.default.removeItem(at: output) }
                let exe = try #require(builtExecutable(kind.executable))
                let r = try BoundedRun(exe, kind.arguments, timeout: Self.timeout, scratch: dir.url)
                let what = "\(kind.name), \(mutation) mutant \(k)"
                #expect(!r.crashed, "\(what): crashed (status \(r.status)): \(r.err.prefix(300))")
                #expect(!r.timedOut, "\(what): no answer within \(Self.timeout) s")
                if r.crashed || r.timedOut { continue }
                if r.status == 0 {
                    successes += 1
                    let texts = [r.out] + kind.outputs.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
                    #expect(texts.allSatisfy(Self.numbersAreFinite), "\(what): exit 0 with non-finite numbers")
                } else {
                    errors += 1
                    #expect(r.err.contains(kind.file.lastPathComponent), "\(what): the error does not name the file: \(r.err.prefix(300))")
                    #expect(!r.err.unicodeScalars.contains { $0.value < 32 && $0 != "\n" && $0 != "\t" },
                            "\(what): control characters on stderr")
                }
            }
            report.append("\(kind.name): \(Self.mutantsPerKind) mutants (\(errors) errors, \(successes) finite results)")
        }
        print("fuzz: " + report.joined(separator: "\nfuzz: "))
    }

    /// Whether every number-like token of `text` is finite (no nan, inf, infinity).
    static func numbersAreFinite(_ text: String) -> Bool {
        let tokens = text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "." && $0 != "-" && $0 != "+" }
        return !tokens.contains { t in
            let bare = t.trimmingCharacters(in: CharacterSet(charactersIn: "+-."))
            return bare == "nan" || bare == "inf" || bare == "infinity"
        }
    }
}
