import Foundation
import Geometry
import PoseGraph
import Testing
import TestSupport

private func spatial(_ g: G2OGraph) -> FactorGraph<SE3>? { if case let .spatial(x) = g { x } else { nil } }
private func planar(_ g: G2OGraph) -> FactorGraph<SE2>? { if case let .planar(x) = g { x } else { nil } }

/// g2o's EdgeSE3 χ² computed independently with quaternion algebra:
/// δ = q_z⁻¹ ⊗ q_i⁻¹ ⊗ q_j, t = R_z⁻¹(R_i⁻¹(t_j − t_i) − t_z), e = (t, sign(δ_w)·δ_xyz).
private func independentG2OChi2(_ text: String) -> Double {
    var poses: [Int: (Quaternion, Vec3)] = [:]
    var chi2 = 0.0
    func rotate(_ q: Quaternion, _ v: Vec3) -> Vec3 {
        let r = q * Quaternion(w: 0, x: v.x, y: v.y, z: v.z) * q.conjugate
        return Vec3(r.x, r.y, r.z)
    }
    for line in text.split(separator: "\n") {
        let t = line.split(separator: " ").map(String.init)
        if t[0] == "VERTEX_SE3:QUAT" {
            let v = t[2...].map { Double($0)! }
            poses[Int(t[1])!] = (Quaternion(normalizing: v[6], v[3], v[4], v[5])!, Vec3(v[0], v[1], v[2]))
        } else if t[0] == "EDGE_SE3:QUAT" {
            let v = t[3...].map { Double($0)! }
            let (qi, ti) = poses[Int(t[1])!]!, (qj, tj) = poses[Int(t[2])!]!
            let qz = Quaternion(normalizing: v[6], v[3], v[4], v[5])!
            let dq = qz.conjugate * qi.conjugate * qj
            let dt = rotate(qz.conjugate, rotate(qi.conjugate, tj - ti) - Vec3(v[0], v[1], v[2]))
            let s = dq.w < 0 ? -1.0 : 1.0
            let e = [dt.x, dt.y, dt.z, s * dq.x, s * dq.y, s * dq.z]
            var info = [Double](repeating: 0, count: 36), k = 7
            for r in 0..<6 { for c in r..<6 { info[r * 6 + c] = v[k]; info[c * 6 + r] = v[k]; k += 1 } }
            for r in 0..<6 { for c in 0..<6 { chi2 += e[r] * info[r * 6 + c] * e[c] } }
        }
    }
    return chi2
}

@Suite struct G2OTests {
    static let small3D = """
        VERTEX_SE3:QUAT 4 0 0 0 0 0 0 1
        VERTEX_SE3:QUAT 7 1.0 0.2 -0.1 0.1 0.2 0.05 0.97
        VERTEX_SE3:QUAT 9 1.9 1.1 0.3 -0.3 0.1 0.4 0.85
        FIX 4
        EDGE_SE3:QUAT 4 7 1.1 0.1 0 0.12 0.18 0.02 0.97 100 1 0 0 0 2 90 0 0 0 0 80 0 0 0 400 3 0 500 0 600
        EDGE_SE3:QUAT 7 9 0.8 0.9 0.2 -0.4 0.0 0.3 0.86 10 0 0 0 0 0 10 0 0 0 0 10 0 0 0 40 0 0 40 0 40
        EDGE_SE3:QUAT 4 9 1.8 1.0 0.4 -0.2 0.15 0.45 -0.85 5 0 0 0 0 0 5 0 0 0 0 5 0 0 0 20 0 0 20 0 20

        """

    @Test func chi2MatchesAnIndependentComputation() throws {
        let g = try #require(spatial(try G2O.parse(Self.small3D)))
        let expected = independentG2OChi2(Self.small3D)
        #expect(expected > 1)
        #expect(abs(g.g2oChi2() - expected) < 1e-9 * expected)
        // The optimised (Log) χ² differs from g2o's: rotation errors are ~2× the quaternion's.
        #expect(abs(g.chi2() - expected) > 1e-3 * expected)
    }

    @Test func roundTrip3D() throws {
        let g = try #require(spatial(try G2O.parse(Self.small3D)))
        #expect(g.ids == [4, 7, 9])
        #expect(g.fixed == [0])
        let h = try #require(spatial(try G2O.parse(G2O.serialize(g))))
        #expect(h.ids == g.ids && h.fixed == g.fixed)
        #expect(maxPoseError(h.poses, g.poses) < 1e-15)
        for (a, b) in zip(g.betweenFactors, h.betweenFactors) {
            #expect(a.i == b.i && a.j == b.j && a.information == b.information)
            #expect((a.measured.inverse * b.measured).log.norm < 1e-15)
        }
        #expect(g.betweenFactors[0].information[1] == 1 && g.betweenFactors[0].information[6] == 1)
        #expect(g.betweenFactors[0].information[3 * 6 + 4] == 3)
    }

    @Test func roundTrip2DAndEdgesOnly() throws {
        let text = """
            EDGE_SE2 0 1 1.0 0.0 0.5 10 0 0 10 0 100
            EDGE_SE2 1 2 1.0 0.0 0.5 10 0 0 10 0 100
            EDGE_SE2 0 2 1.5 0.9 1.0 10 1 0 10 0 100
            """
        let g = try #require(planar(try G2O.parse(text)))
        // Edges only: initialised by chaining the odometry.
        let chained = SE2(x: 1, y: 0, theta: 0.5) * SE2(x: 1, y: 0, theta: 0.5)
        #expect(abs(g.poses[2].x - chained.x) < 1e-12 && abs(g.poses[2].theta - chained.theta) < 1e-12)
        let h = try #require(planar(try G2O.parse(G2O.serialize(g))))
        #expect(h.poses == g.poses)
        #expect(h.betweenFactors.map(\.information) == g.betweenFactors.map(\.information))
        #expect(h.betweenFactors[2].information == [10, 1, 0, 1, 10, 0, 0, 0, 100])
    }

    @Test func writeAndReadAFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let g = try #require(spatial(try G2O.parse(Self.small3D)))
        let url = dir.url.appendingPathComponent("out.g2o")
        try G2O.write(g, to: url)
        let h = try #require(spatial(try G2O.read(url)))
        #expect(abs(h.g2oChi2() - g.g2oChi2()) < 1e-12)
    }

    @Test(arguments: [
        ("VERTEX_SE3:QUAT 0 0 0 0 0 0 0 1\nVERTEX_SE3:QUAT 1 0 0 0 0 0 1\n", 2, "expected 7 numbers"),
        ("VERTEX_SE2 0 0 0 0\n\nEDGE_SE2 0 x 1 0 0 1 0 0 1 0 1\n", 3, "not an integer: 'x'"),
        ("VERTEX_SE2 0 0 0 0\nVERTEX_SE2 1 0 0 abc\n", 2, "not a finite number: 'abc'"),
        ("# comment\nVERTEX_XYZ 0 1 2\n", 2, "unsupported element 'VERTEX_XYZ'"),
        ("VERTEX_SE2 0 0 0 0\nVERTEX_SE2 1 0 0 0 7\n", 2, "trailing values"),
        ("VERTEX_SE2 0 0 0 0\nFIX 5\n", 2, "FIX names unknown vertex 5"),
        ("VERTEX_SE3:QUAT 0 0 0 0 0 0 0 0\n", 1, "zero quaternion"),
        ("VERTEX_SE2 0 0 0 0\nVERTEX_SE2 1 0 0 0\nVERTEX_SE2 0 1 1 1\n", 3, "vertex 0 declared again (first on line 1)"),
        ("VERTEX_SE2 0 0 0 0\nEDGE_SE2 0 4 1 0 0 1 0 0 1 0 1\n", 2, "edge names undeclared vertex 4"),
        ("EDGE_SE2 0 1 1 0 0 1 0 0 1 0 1\nEDGE_SE2 2 2 1 0 0 1 0 0 1 0 1\n", 2, "edge from vertex 2 to itself"),
    ])
    func malformedLinesNameTheLine(text: String, line: Int, message: String) {
        #expect {
            _ = try G2O.parse(text, name: "bad.g2o")
        } throws: { error in
            guard case let .malformedLine(file, l, _) = error as? PoseGraphError else { return false }
            return file == "bad.g2o" && l == line && "\(error)".hasPrefix("bad.g2o:\(line):") && "\(error)".contains(message)
        }
    }

    @Test func missingFileAndMixedContent() {
        #expect(throws: PoseGraphError.self) { _ = try G2O.read(URL(fileURLWithPath: "/nonexistent/x.g2o")) }
        #expect(throws: PoseGraphError.self) { _ = try G2O.parse("VERTEX_SE2 0 0 0 0\nVERTEX_SE3:QUAT 1 0 0 0 0 0 0 1\n") }
        #expect(throws: PoseGraphError.self) { _ = try G2O.parse("# nothing\n") }
    }
}
