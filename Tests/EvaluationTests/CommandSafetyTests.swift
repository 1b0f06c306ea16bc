import Foundation
import TestSupport
import Testing

/// The command line never gives a silently wrong answer: runs own their folders, signals end a
/// run with a distinct status and valid outputs, and pose graphs with indefinite information
/// are refused. Run through the built executable.
@Suite(.enabled(if: parallaxBinary != nil, "the parallax executable is not built beside the tests"))
struct CommandSafetyTests {
    /// A rerun into the same folder mixed its files with the earlier run's before.
    @Test func aRunOwnsItsOutputFolder() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let out = dir.url.appendingPathComponent("run").path
        let first = try run(bin, ["demo", "--frames", "12", "--out", out, "--quiet"])
        #expect(first.status == 0, "\(first.err)")
        let again = try run(bin, ["demo", "--frames", "6", "--out", out, "--quiet"])
        #expect(again.status != 0 && again.err.contains("earlier run's outputs") && again.err.contains("--overwrite"))
        let replaced = try run(bin, ["demo", "--frames", "6", "--out", out, "--quiet", "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.err)")
        let rows = try String(contentsOfFile: out + "/trajectory_kitti.txt", encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 6)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any]
        #expect(summary?["frames"] as? Int == 6)
    }

    /// A run's config.yaml holds every setting; `--config` with it repeats the run byte for byte.
    @Test func aRunsConfigurationFileRepeatsIt() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let custom = try write("min_inliers: 20\nbundle_adjustment: false\nloop_gate: 30\nvocabulary: hashed\n", "custom.yaml", in: dir)
        let first = dir.url.appendingPathComponent("first").path, second = dir.url.appendingPathComponent("second").path
        let a = try run(bin, ["demo", "--frames", "30", "--config", custom, "--out", first, "--quiet"])
        #expect(a.status == 0, "\(a.err)")
        let written = try String(contentsOfFile: first + "/config.yaml", encoding: .utf8)
        for line in ["min_inliers: 20", "bundle_adjustment: false", "loop_gate: 30.0", "vocabulary: \"hashed\"", "loop_closure: true",
                     "huber: 2.45", "max_features: 1500", "seed: 24301"] {
            #expect(written.contains("\n" + line + "\n"), "config.yaml lacks '\(line)'")
        }
        let b = try run(bin, ["demo", "--frames", "30", "--config", first + "/config.yaml", "--out", second, "--quiet"])
        #expect(b.status == 0, "\(b.err)")
        for file in ["config.yaml", "trajectory_kitti.txt", "covariance.txt", "trajectory_corrected_kitti.txt"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: first + "/" + file)), y = try Data(contentsOf: URL(fileURLWithPath: second + "/" + file))
            #expect(x == y, "\(file) differs between the run and its repeat")
        }
        let broken = try write("loop_closure: maybe\n", "broken.yaml", in: dir)
        let c = try run(bin, ["demo", "--frames", "5", "--config", broken, "--quiet"])
        #expect(c.status != 0 && c.err.contains("broken.yaml:1") && c.err.contains("loop_closure"), "\(c.err)")
    }

    /// SIGTERM left no summary and Ctrl-C exited 0 silently before; progress lines filled logs.
    @Test func aTerminatedRunSaysSoAndExits143() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let out = dir.url.appendingPathComponent("run")
        let p = Process()
        p.executableURL = bin
        p.arguments = ["demo", "--frames", "600", "--out", out.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let trajectory = out.appendingPathComponent("trajectory_kitti.txt").path
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? String(contentsOfFile: trajectory, encoding: .utf8))?.count ?? 0) < 200 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        p.terminate()   // SIGTERM
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        #expect(stderr.contains("interrupted by SIGTERM"))
        #expect(!stderr.contains("\r"), "progress drawn into a pipe")
        let data = try Data(contentsOf: out.appendingPathComponent("summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(summary["interrupted"] as? Bool == true && summary["signal"] as? Int == 15)
        let frames = try #require(summary["frames"] as? Int)
        let rows = try String(contentsOfFile: trajectory, encoding: .utf8).split(separator: "\n")
        #expect(frames > 0 && frames < 600 && rows.count == frames)
    }

    /// An indefinite information matrix was optimised into a negative χ² with exit 0 before.
    @Test func anIndefiniteInformationMatrixIsAnErrorOrRepaired() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let file = dir.url.appendingPathComponent("neg.g2o").path
        let info = "10 0 0 0 0 0 10 0 0 0 0 10 0 0 0 40 0 0 40 0 40"
        let graph = """
            VERTEX_SE3:QUAT 0 0 0 0 0 0 0 1
            VERTEX_SE3:QUAT 1 1 0 0 0 0 0 1
            VERTEX_SE3:QUAT 2 2 0 0 0 0 0 1
            EDGE_SE3:QUAT 0 1 1 0 0 0 0 0 1 \(info)
            EDGE_SE3:QUAT 1 2 1 0 0 0 0 0 1 \(info.replacingOccurrences(of: "10 0 0 0 0 0 10", with: "10 0 0 0 0 0 -1e6"))
            EDGE_SE3:QUAT 0 2 2.1 0 0 0 0 0 1 \(info)

            """
        try graph.write(toFile: file, atomically: true, encoding: .utf8)
        let strict = try run(bin, ["pgo", file])
        #expect(strict.status != 0)
        #expect(strict.err.contains("neg.g2o:5:") && strict.err.contains("1 of 3 edges") && strict.err.contains("nearest-pd"))
        let repaired = try run(bin, ["pgo", file, "--information", "nearest-pd"])
        #expect(repaired.status == 0 && repaired.err.contains("warning") && repaired.out.contains("init auto → chordal"))
        let chi2 = repaired.out.split(separator: "\n").first { $0.hasPrefix("final chi2 log:") }
            .flatMap { Double($0.split(separator: " ")[3]) }
        #expect((chi2 ?? -1) >= 0)
    }

    /// Messages that misled before, each now naming what is wrong, checked before any work.
    @Test func argumentErrorsSayWhatIsWrong() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let graph = dir.url.appendingPathComponent("g.g2o").path
        try "VERTEX_SE2 0 0 0 0\nVERTEX_SE2 1 1 0 0\nEDGE_SE2 0 1 1 0 0 1 0 0 1 0 1\n".write(toFile: graph, atomically: true, encoding: .utf8)
        let gt = dir.url.appendingPathComponent("gt.txt").path, est = dir.url.appendingPathComponent("est.txt").path
        let rows = (0..<5).map { "1 0 0 \($0) 0 1 0 0 0 0 1 0" }.joined(separator: "\n") + "\n"
        try rows.write(toFile: gt, atomically: true, encoding: .utf8)
        try rows.write(toFile: est, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["pgo", graph, "--out", dir.url.path], "is a folder"),                       // was NSCocoaErrorDomain error 512
            (["pgo", graph, "--covariance", "999"], "has no vertex 999"),                 // was refused after the optimisation
            (["eval", "rpe", "kitti", gt, est, "--delta", "0"], "--delta must be a positive number"),   // was "try lower values"
            (["run", "--dataset", "kitti", dir.url.path, "--out", dir.url.path, "--frames", "-1"], "--frames must be positive"),  // was "Missing value"
            (["demo", "--frames", "-5"], "--frames must be at least 2"),
        ]
        for (arguments, expected) in cases {
            let r = try run(bin, arguments)
            #expect(r.status != 0 && r.err.contains(expected), "\(arguments.joined(separator: " ")): \(r.err)")
            #expect(!r.out.contains("final chi2"), "\(arguments.joined(separator: " ")) did the work before refusing")
        }
    }

    /// Unsorted TUM time stamps changed RPE silently before: evo's result, with a warning.
    @Test func unsortedTimestampsAreComputedAsEvoDoesWithAWarning() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let gt = dir.url.appendingPathComponent("gt.tum").path, est = dir.url.appendingPathComponent("est.tum").path
        let line = { (t: Double, x: Double) in "\(t) \(x) 0 0 0 0 0 1" }
        try (0..<6).map { line(Double($0), Double($0)) }.joined(separator: "\n").write(toFile: gt, atomically: true, encoding: .utf8)
        try [0, 1, 3, 2, 4, 5].map { line(Double($0), Double($0) * 1.1) }.joined(separator: "\n").write(toFile: est, atomically: true, encoding: .utf8)
        let r = try run(bin, ["eval", "rpe", "tum", gt, est])
        #expect(r.status == 0)
        #expect(r.err.contains("est.tum: timestamps do not increase (pose 4 at 2.0 s follows 3.0 s)"), "\(r.err)")
    }
}
