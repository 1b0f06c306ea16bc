import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

private func randomTrajectory(count: Int, seed: UInt64, stamped: Bool) -> Trajectory {
    var g = SplitMix(state: seed)
    func r(_ s: Double) -> Double { Double.random(in: -s...s, using: &g) }
    let poses = (0..<count).map { _ in SE3.exp(Vec6(Vec3(r(50), r(50), r(5)), Vec3(r(3), r(1), r(1)))) }
    let stamps = stamped ? (0..<count).map { 1_403_715_273.262_142_976 + Double($0) * 0.05 } : nil
    return Trajectory(poses: poses, timestamps: stamps)
}

private func expectClose(_ a: Trajectory, _ b: Trajectory, tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (p, q) in zip(a.poses, b.poses) {
        #expect((p.inverse * q).log.norm < tolerance, sourceLocation: sourceLocation)
    }
}

@Suite struct TrajectoryRoundTripTests {
    @Test(arguments: TrajectoryFormat.allCases)
    func writeThenReadGivesTheSamePoses(format: TrajectoryFormat) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let original = randomTrajectory(count: 40, seed: 11, stamped: true)
        let url = dir.url.appendingPathComponent("traj.\(format.rawValue)")
        try format.write(original, to: url)
        let back = try TrajectoryFormat.read(url, format: format)
        expectClose(original, back)
        switch format {
        case .tum:
            #expect(back.timestamps == original.timestamps)
        case .euroc:
            // Nanosecond integers: exact to the double's resolution at 1.4e9 s (~0.24 µs).
            for (a, b) in zip(try #require(back.timestamps), try #require(original.timestamps)) { #expect(abs(a - b) < 1e-6) }
        case .kitti, .tartanair:
            #expect(back.timestamps == nil)
        }
    }

    @Test func kittiTimesFileAddsTimestamps() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let t = randomTrajectory(count: 5, seed: 3, stamped: false)
        let url = dir.url.appendingPathComponent("poses.txt"), times = dir.url.appendingPathComponent("times.txt")
        try TrajectoryFormat.kitti.write(t, to: url)
        try "0.0\n0.1\n0.2\n0.3\n0.4\n".write(to: times, atomically: true, encoding: .utf8)
        let back = try TrajectoryFormat.read(url, format: .kitti, timesFile: times)
        #expect(back.timestamps == [0, 0.1, 0.2, 0.3, 0.4])
        try "0.0\n0.1\n".write(to: times, atomically: true, encoding: .utf8)
        #expect(throws: TrajectoryError.countMismatch(times.path, expected: 5, found: 2, what: "timestamps")) {
            try TrajectoryFormat.read(url, format: .kitti, timesFile: times)
        }
    }

    @Test func nedConversionIsExactAndMeansForwardIsZ() {
        var g = SplitMix(state: 5)
        for _ in 0..<20 {
            let p = SE3.exp(Vec6(Vec3(Double.random(in: -9...9, using: &g), 1, 2), Vec3(0.3, Double.random(in: -2...2, using: &g), 0.1)))
            let back = TrajectoryFormat.nedPose(fromCamera: TrajectoryFormat.cameraPose(fromNED: p))
            #expect((back.inverse * p).log.norm < 1e-14)
        }
        // Moving 1 m forward (NED x) is moving 1 m along the camera's z; down (NED z) is camera y.
        let fwd = TrajectoryFormat.cameraPose(fromNED: SE3(translation: Vec3(1, 0, 0)))
        #expect((fwd.translation - Vec3(0, 0, 1)).norm < 1e-15)
        let down = TrajectoryFormat.cameraPose(fromNED: SE3(translation: Vec3(0, 0, 1)))
        #expect((down.translation - Vec3(0, 1, 0)).norm < 1e-15)
        // A yaw in NED (about z down) is a rotation about the camera's y (down) axis.
        let yaw = TrajectoryFormat.cameraPose(fromNED: SE3(rotation: SO3.exp(Vec3(0, 0, 0.5))))
        #expect((yaw.rotation.log - Vec3(0, 0.5, 0)).norm < 1e-14)
    }

    @Test(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
    func readsRealKITTIGroundTruth() throws {
        let t = try TrajectoryFormat.read(SharedData.url("kitti-gt-poses/00.txt"), format: .kitti)
        #expect(t.count == 4541)
        #expect(t.poses[0].translation.norm < 1e-9)
        #expect(abs(t.pathLength - 3724.2) < 5)   // KITTI 00 is ~3.7 km
    }
}

@Suite struct TrajectoryErrorTests {
    private func write(_ text: String, _ name: String = "t.txt") throws -> (TemporaryDirectory, URL) {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return (dir, url)
    }

    @Test func malformedRowNamesFileAndLine() throws {
        let (dir, url) = try write("# header\n1 0 0 0 0 1 0 0 0 0 1 0\n1 0 0 x 0 1 0 0 0 0 1 0\n")
        defer { dir.cleanup() }
        #expect(throws: TrajectoryError.malformedRow(url.path, line: 3, "'x' is not a number")) {
            try TrajectoryFormat.read(url, format: .kitti)
        }
        let (d2, u2) = try write("1 0 0 0 0 1 0 0 0 0 1\n")
        defer { d2.cleanup() }
        #expect(throws: TrajectoryError.malformedRow(u2.path, line: 1, "expected 12 numbers (3×4 pose), found 11")) {
            try TrajectoryFormat.read(u2, format: .kitti)
        }
    }

    @Test func nanAndInfinityAreRejected() throws {
        let (dir, url) = try write("0 1 2 3 0 0 0 1\n0.1 nan 2 3 0 0 0 1\n")
        defer { dir.cleanup() }
        #expect(throws: TrajectoryError.nonFinite(url.path, line: 2)) { try TrajectoryFormat.read(url, format: .tum) }
        let (d2, u2) = try write("0 inf 2 3 0 0 0 1\n")
        defer { d2.cleanup() }
        #expect(throws: TrajectoryError.nonFinite(u2.path, line: 1)) { try TrajectoryFormat.read(u2, format: .tum) }
    }

    @Test func nonOrthonormalRotationsAreRejected() throws {
        let (dir, url) = try write("1 0 0 0 0 1 0 0 0 0 1 0\n1.1 0 0 0 0 1 0 0 0 0 1 0\n")
        defer { dir.cleanup() }
        #expect {
            try TrajectoryFormat.read(url, format: .kitti)
        } throws: { e in
            guard case let .notARotation(p, line, _) = e as? TrajectoryError else { return false }
            return p == url.path && line == 2
        }
        let (d2, u2) = try write("0 1 2 3 0 0 0 0.5\n")
        defer { d2.cleanup() }
        #expect {
            try TrajectoryFormat.read(u2, format: .tum)
        } throws: { e in
            guard case let .notARotation(_, line, _) = e as? TrajectoryError else { return false }
            return line == 1
        }
    }

    @Test func emptyMissingAndUnknown() throws {
        let (dir, url) = try write("# only a comment\n\n")
        defer { dir.cleanup() }
        #expect(throws: TrajectoryError.empty(url.path)) { try TrajectoryFormat.read(url, format: .tum) }
        #expect(throws: TrajectoryError.fileNotFound("/nonexistent/x.txt")) {
            try TrajectoryFormat.read(URL(fileURLWithPath: "/nonexistent/x.txt"), format: .tum)
        }
        #expect(throws: TrajectoryError.unknownFormat("bag")) { try TrajectoryFormat(name: "bag") }
        #expect(try TrajectoryFormat(name: "KITTI") == .kitti)
    }

    @Test func eurocHeaderIsSkippedButOnlyOnTheFirstRow() throws {
        let (dir, url) = try write("#timestamp [ns],p_x\n1403715273262142976,1,2,3,1,0,0,0\n")
        defer { dir.cleanup() }
        let t = try TrajectoryFormat.read(url, format: .euroc)
        #expect(t.count == 1 && (t.poses[0].translation - Vec3(1, 2, 3)).norm == 0)
        let (d2, u2) = try write("timestamp,x\n1403715273262142976,1,2,3,1,0,0,0\nfoo,1,2,3,1,0,0,0\n")
        defer { d2.cleanup() }
        #expect(throws: TrajectoryError.malformedRow(u2.path, line: 3, "'foo' is not a number")) {
            try TrajectoryFormat.read(u2, format: .euroc)
        }
    }
}
