import Evaluation
import Foundation
import TestSupport
import Testing
import Trajectories

/// Every bad input gives a typed error naming the file (and line); the CLI turns it into a
/// message on stderr and a non-zero exit status.
@Suite struct InputErrorTests {
    static let identityRow = "1 0 0 0 0 1 0 0 0 0 1 0\n"
    static func kittiRows(_ n: Int) -> String { (0..<n).map { "1 0 0 \($0) 0 1 0 0 0 0 1 0\n" }.joined() }

    func load(_ format: String, _ ref: String, _ est: String) throws(EvaluationError) -> TrajectoryPair {
        try TrajectoryPair.load(.init(format: format, referencePath: ref, estimatePath: est))
    }

    @Test func mismatchedLengthsWithoutTimestampsNameBothFiles() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let ref = try write(Self.kittiRows(4), "ref.txt", in: dir), est = try write(Self.kittiRows(3), "est.txt", in: dir)
        #expect(throws: EvaluationError.countMismatch(reference: ref, referenceCount: 4, estimate: est, estimateCount: 3)) {
            try load("kitti", ref, est)
        }
        // With times files they are associated by time instead.
        let t4 = try write("0\n0.1\n0.2\n0.3\n", "t4.txt", in: dir), t3 = try write("0\n0.1\n0.2\n", "t3.txt", in: dir)
        let pair = try TrajectoryPair.load(.init(format: "kitti", referencePath: ref, estimatePath: est,
                                                 referenceTimes: t4, estimateTimes: t3))
        #expect(pair.associated && pair.reference.count == 3)
    }

    @Test func noAssociatedPairsNamesBothFiles() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let ref = try write("1.0 0 0 0 0 0 0 1\n2.0 1 0 0 0 0 0 1\n", "ref.tum", in: dir)
        let est = try write("5.0 0 0 0 0 0 0 1\n6.0 1 0 0 0 0 0 1\n", "est.tum", in: dir)
        #expect(throws: EvaluationError.noMatchingTimestamps(reference: ref, estimate: est, maxDiff: 0.01, offset: 0)) {
            try load("tum", ref, est)
        }
    }

    @Test func nanPoseNamesFileAndLine() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let ref = try write(Self.kittiRows(3), "ref.txt", in: dir)
        let est = try write(Self.identityRow + "# comment\n1 0 0 nan 0 1 0 0 0 0 1 0\n" + Self.identityRow, "est.txt", in: dir)
        #expect(throws: EvaluationError.trajectory(.nonFinite(est, line: 3))) { try load("kitti", ref, est) }
    }

    @Test func nonOrthonormalRotationNamesFileAndLine() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let ref = try write(Self.identityRow + "1 0.2 0 0 0 1 0 0 0 0 1 0\n", "ref.txt", in: dir)
        let est = try write(Self.kittiRows(2), "est.txt", in: dir)
        do {
            _ = try load("kitti", ref, est)
            Issue.record("a skewed rotation was accepted")
        } catch {
            guard case let .trajectory(.notARotation(path, line, _)) = error else { Issue.record("\(error)"); return }
            #expect(path == ref && line == 2)
            #expect(error.description.hasPrefix("\(ref):2: rotation is not valid"))
        }
    }

    @Test func unknownFormatAndEmptyFile() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let ref = try write(Self.kittiRows(2), "ref.txt", in: dir), empty = try write("# nothing\n\n", "empty.txt", in: dir)
        #expect(throws: EvaluationError.trajectory(.unknownFormat("bag"))) { try load("bag", ref, ref) }
        #expect(throws: EvaluationError.trajectory(.empty(empty))) { try load("kitti", ref, empty) }
        #expect(throws: EvaluationError.trajectory(.fileNotFound(dir.url.appendingPathComponent("missing.txt").path))) {
            try load("kitti", ref, dir.url.appendingPathComponent("missing.txt").path)
        }
    }

    @Test func conflictingOptions() throws {
        #expect(throws: EvaluationError.self) { try Alignment(align: true, correctScale: false, alignOrigin: true) }
        #expect(try Alignment(align: true, correctScale: true, alignOrigin: false) == .sim3)
        #expect(try Alignment(align: false, correctScale: true, alignOrigin: false) == .scale)
    }

    @Test(.enabled(if: parallaxBinary != nil, "the parallax executable is not built beside the tests"))
    func cliReportsErrorsOnStderrWithNonZeroExit() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let ref = try write(Self.kittiRows(4), "ref.txt", in: dir), est = try write(Self.kittiRows(3), "est.txt", in: dir)
        let nan = try write(Self.identityRow + "1 0 0 nan 0 1 0 0 0 0 1 0\n", "nan.txt", in: dir)
        let cases: [([String], String)] = [
            (["eval", "ape", "kitti", ref, est], "\(ref) has 4 poses but \(est) has 3"),
            (["eval", "rpe", "kitti", ref, nan], "\(nan):2: NaN or infinite value"),
            (["eval", "ape", "xyz", ref, ref], "unknown trajectory format 'xyz'"),
            (["eval", "ape", "kitti", ref, ref, "-a", "--align_origin"], "--align_origin cannot be combined"),
            (["eval", "ape", "kitti", ref, ref, "-r", "angles"], "unknown pose relation 'angles'"),
        ]
        for (args, message) in cases {
            let r = try run(bin, args)
            #expect(r.status != 0, "\(args)")
            #expect(r.err.contains(message), "\(args): \(r.err)")
            #expect(r.out.isEmpty)
        }
        let ok = try run(bin, ["eval", "ape", "kitti", ref, ref, "--json"])
        #expect(ok.status == 0)
        let report = try EvaluationReport.decode(Data(ok.out.utf8))
        #expect(report.count == 4 && report.stats.max == 0)
    }
}
