import Foundation
import TestSupport
import Testing

/// `map.ply` read by an independent reader (Python's plyfile, installed by `Tools/bootstrap
/// --test`) and checked against the run's own files (Tests/Fixtures/check_map.py): point count,
/// keyframes, each point in front of its keyframe and carrying its pixel's grey value, covariances
/// positive semi-definite and growing with depth, binary and ASCII files equal.
@Suite(.enabled(if: parallaxBinary != nil && pythonSucceeds("import plyfile, numpy, PIL"),
                "needs the parallax executable and Python's plyfile, numpy and Pillow (Tools/bootstrap --test)"))
struct MapOutputTests {
    @Test func theMapAgreesWithTheRun() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let data = dir.url.appendingPathComponent("data").path
        let synth = try run(bin, ["synth", "--world", "canyon", "--trajectory", "loop", "--frames", "40", "--format", "kitti",
                                  "--no-depth", "--out", data, "--quiet"])
        #expect(synth.status == 0, "\(synth.err)")
        let binary = dir.url.appendingPathComponent("binary").path, ascii = dir.url.appendingPathComponent("ascii").path
        for (out, extra) in [(binary, [String]()), (ascii, ["--map-ascii"])] {
            let r = try run(bin, ["run", "--dataset", "kitti", data, "--sequence", "00", "--out", out, "--quiet"] + extra)
            #expect(r.status == 0, "\(r.err)")
        }
        let script = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/check_map.py").path
        let check = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, binary, data + "/sequences/00", ascii])
        print(check.out)
        #expect(check.status == 0, "\(check.err)")
        let header = try Data(contentsOf: URL(fileURLWithPath: binary + "/map.ply")).prefix(64)
        #expect(String(decoding: header, as: UTF8.self).contains("format binary_little_endian 1.0"))
    }
}
