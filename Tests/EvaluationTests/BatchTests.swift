import Foundation
import TestSupport
import Testing

/// `parallax batch` on this machine and Tools/batch/ray_batch.py on a local Ray instance run the
/// same manifest (four small rendered sequences and one whose folder is missing) into the same
/// table; the missing one fails without stopping the others; a rerun skips what finished;
/// manifest errors name the file and line.
@Suite(.serialized, .enabled(if: parallaxBinary != nil, "the parallax executable is not built beside the tests"))
struct BatchTests {
    static func manifest(in dir: TemporaryDirectory, bin: URL) throws -> String {
        var runs = ""
        for seed in 1...4 {
            let data = dir.url.appendingPathComponent("data\(seed)").path
            let synth = try run(bin, ["synth", "--world", "canyon", "--trajectory", "wobble", "--frames", "25", "--seed", "\(seed)",
                                      "--format", "kitti", "--no-depth", "--out", data, "--quiet"])
            #expect(synth.status == 0, "\(synth.err)")
            // s1 and s2 set settings, s3 turns loop closure off, s4 takes every default (an empty --config).
            let own = [1: ", config: {fast_threshold: 12}", 2: ", config: {min_inliers: 20}", 3: ", loop_closure: off"][seed] ?? ""
            runs += "  - {name: s\(seed), dataset: kitti, path: \(data), sequence: \"00\"\(own)}\n"
        }
        runs += "  - {name: broken, dataset: kitti, path: \(dir.url.path)/missing, sequence: \"00\"}\n"
        return try write("defaults:\n  frames: 25\nruns:\n" + runs, "batch.yaml", in: dir)
    }

    /// The rows of results.json without the columns that depend on timing.
    static func rows(_ folder: String) throws -> [[String: String]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/results.json"))
        let rows = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return rows.map { row in
            var out: [String: String] = [:]
            for (k, v) in row where k != "fps" { out[k] = "\(v)" }
            return out
        }
    }

    @Test func theLocalExecutorRunsEverythingAndResumes() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let manifest = try Self.manifest(in: dir, bin: bin)
        let out = dir.url.appendingPathComponent("local").path
        let first = try run(bin, ["batch", manifest, "--out", out, "--jobs", "2"])
        #expect(first.status == 1 && first.err.contains("broken failed") && first.err.contains("missing"), "\(first.err)")
        let rows = try Self.rows(out)
        #expect(rows.map { $0["name"] ?? "" } == ["s1", "s2", "s3", "s4", "broken"])
        #expect(rows.map { $0["status"] ?? "" } == ["ok", "ok", "ok", "ok", "failed"])
        #expect(rows[0]["ateRMSE"] != "<null>" && rows[2]["ateRMSECorrected"] == "<null>", "loop closure off has no corrected figures")
        let csv = try String(contentsOfFile: out + "/results.csv", encoding: .utf8)
        #expect(csv.hasPrefix("name,status,ate_rmse,ate_rmse_corrected,fps,"))
        let html = try String(contentsOfFile: out + "/results.html", encoding: .utf8)
        #expect(html.contains("href=\"s1/report.html\"") && html.contains("class=\"best\""))
        let again = try run(bin, ["batch", manifest, "--out", out])
        #expect(again.err.contains("1 of 5 runs to do"), "\(again.err)")
        #expect(try Self.rows(out) == rows)
    }

    @Test(.enabled(if: pythonSucceeds("import ray; ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False); ray.shutdown()"),
                   "needs Ray (pip install ray) able to start a local instance on this machine"))
    func rayGivesTheSameTable() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let manifest = try Self.manifest(in: dir, bin: bin)
        let local = dir.url.appendingPathComponent("local").path, ray = dir.url.appendingPathComponent("ray").path
        _ = try run(bin, ["batch", manifest, "--out", local, "--jobs", "2", "--quiet"])
        let script = SharedData.repositoryRoot.appendingPathComponent("Tools/batch/ray_batch.py").path
        let r = try run(URL(fileURLWithPath: "/usr/bin/env"),
                        ["python3", script, manifest, "--out", ray, "--parallax", bin.path, "--cpus-per-run", "1"])
        print(r.err.split(separator: "\n").filter { $0.hasPrefix("ray_batch") || $0.hasPrefix("batch") }.joined(separator: "\n"))
        #expect(r.status == 1, "one run fails, so the batch does: \(r.err)")
        let rayRows = try Self.rows(ray), localRows = try Self.rows(local)
        #expect(rayRows == localRows, "Ray's table differs from the local executor's")
        #expect(rayRows.last?["status"] == "failed" && rayRows.dropLast().allSatisfy { $0["status"] == "ok" })
    }

    /// The manifest form of the README: defaults with loop closure and settings, per-run settings.
    @Test func theDocumentedFormIsPlanned() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let m = try write("""
            defaults:
              loop_closure: on
              config: {fast_threshold: 12}
            runs:
              - {name: k06, dataset: kitti, path: /data/kitti/odometry, sequence: "06"}
              - {name: v101, dataset: euroc, path: /data/euroc/V1_01_easy, config: {min_inliers: 20}}

            """, "m.yaml", in: dir)
        let out = dir.url.appendingPathComponent("out").path
        let plan = try run(bin, ["batch", m, "--out", out, "--plan"])
        #expect(plan.status == 0, "\(plan.err)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(plan.out.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["name"] as? String } == ["k06", "v101"])
        let args = entries.map { ($0["arguments"] as? [String]) ?? [] }
        #expect(args[0].contains("06") && args[0].contains("--config") && !args[1].contains("--sequence"))
        let config = try String(contentsOfFile: out + "/v101/batch-config.yaml", encoding: .utf8)
        #expect(config.contains("fast_threshold: 12\n") && config.contains("min_inliers: 20\n") && config.contains("loop_closure: true\n"))
    }

    @Test func manifestErrorsNameFileAndLine() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let cases = [("runs:\n  - {name: a, dataset: kitti, path: /x, sequnce: \"00\"}\n", ":2:", "unknown key 'sequnce'"),
                     ("runs:\n  - {name: a, dataset: kitti, path: /x}\n  - {name: a, dataset: kitti, path: /y}\n", ":3:", "given twice"),
                     ("defaults:\n  config: {huber: -1}\nruns:\n  - {name: a, dataset: kitti, path: /x}\n", ":2:", "huber"),
                     ("runs:\n  - {name: a, dataset: lidar, path: /x}\n", ":2:", "lidar")]
        for (text, line, message) in cases {
            let m = try write(text, "m.yaml", in: dir)
            let r = try run(bin, ["batch", m, "--out", dir.url.appendingPathComponent("out").path])
            #expect(r.status != 0 && r.err.contains("m.yaml" + line) && r.err.contains(message), "\(text) → \(r.err)")
        }
    }
}
