import Datasets
import Foundation
import Geometry
import Synthetic
import TestSupport
import Testing
import Trajectories

/// Geometric truth of the renderer: what it draws is where the camera model says it is.
@Suite struct GeometricTruthTests {
    let camera = CameraPreset.vga.camera

    /// Pixels spread over the image.
    var pixels: [(Double, Double)] {
        stride(from: 20.0, to: 620, by: 75).flatMap { u in stride(from: 20.0, to: 460, by: 55).map { (u + 0.37, $0 + 0.61) } }
    }

    @Test(arguments: [TrajectoryKind.loop, .wobble, .figureEight])
    func pointsProjectThroughWrittenPosesAndCalibration(_ kind: TrajectoryKind) throws {
        let seq = try SyntheticSequence(world: .canyon, trajectory: kind, camera: camera, frames: 60, sensor: .ideal)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // Write only the calibration and poses (no frames) and read them back through the KITTI reader's parsers.
        try SequenceWriter(sequence: seq, layout: .kitti, root: dir.url).writeGroundTruthOnly()
        let calib = try KITTIDataset.readCalibration(dir.url.appendingPathComponent("sequences/00/calib.txt"))
        let p0 = try #require(calib["P0"]).values, p1 = try #require(calib["P1"]).values
        let poses = try TrajectoryFormat.read(dir.url.appendingPathComponent("poses/00.txt"), format: .kitti).poses
        #expect(poses.count == seq.frameCount)
        let baseline = -p1[3] / p1[0]
        #expect(abs(baseline - camera.baseline) < 1e-12)
        func project(_ pw: Vec3, _ pose: SE3) -> (SIMD2<Double>, Double) {
            let pc = pose.inverse * pw
            return (SIMD2(p0[0] * pc.x / pc.z + p0[2], p0[5] * pc.y / pc.z + p0[6]), pc.z)
        }
        var checked = 0, worst = 0.0
        for (a, b) in [(0, 0), (10, 13), (30, 31), (45, 47)] {
            for (u, v) in pixels {
                guard let hit = seq.cast(frame: a, u: u, v: v) else { continue }
                // Same frame: the written pose and calibration put the point back on its pixel.
                let (uv, z) = project(hit.point, poses[a])
                #expect(abs(z - hit.depth) < 1e-9)
                worst = max(worst, max(abs(uv.x - u), abs(uv.y - v)))
                // Another frame: where the point projects, the renderer sees that very point
                // (unless something nearer hides it).
                let (uvb, zb) = project(hit.point, poses[b])
                guard zb > 0.1, camera.contains(uvb), let other = seq.cast(frame: b, u: uvb.x, v: uvb.y),
                      other.depth > zb - 1e-3 else { continue }
                #expect((other.point - hit.point).norm < 1e-6 * max(1, zb), "frame \(b) at \(uvb)")
                checked += 1
            }
        }
        #expect(worst < 0.05, "worst reprojection \(worst) px")
        #expect(checked > 50)
    }

    @Test func stereoDisparityIsFocalTimesBaselineOverDepth() throws {
        let seq = try SyntheticSequence(world: .room, trajectory: .wobble, camera: camera, frames: 20, speed: 1, sensor: .ideal)
        let rendered = seq.render(frame: 7)
        var checked = 0
        for (u, v) in pixels {
            guard let hit = seq.cast(frame: 7, u: u, v: v) else { continue }
            let d = camera.focalBaseline / hit.depth
            // The right camera sees the same point d pixels to the left, on the same row.
            guard let right = seq.cast(frame: 7, eye: .right, u: u - d, v: v) else { continue }
            guard abs(right.depth - hit.depth) < 1e-3 else { continue } // occluded in the right view
            #expect((right.point - hit.point).norm < 1e-9 * max(1, hit.depth))
            checked += 1
        }
        #expect(checked > 40)
        // The depth map holds the depth of each pixel centre.
        for (x, y) in [(10, 10), (320, 240), (600, 400), (123, 456)] {
            let z = Double(rendered.depth[y * camera.width + x])
            let hit = seq.cast(frame: 7, u: Double(x), v: Double(y))
            #expect(abs(z - (hit?.depth ?? 0)) < 1e-5 * max(z, 1))
        }
    }

    @Test(arguments: [TrajectoryKind.loop, .figureEight])
    func closedRoutesReturnToTheStartWithoutJumps(_ kind: TrajectoryKind) throws {
        let seq = try SyntheticSequence(world: .canyon, trajectory: kind, camera: camera, frames: 400, fps: 10, speed: 5)
        let p = seq.poses
        #expect(p.first == .identity && p.last == .identity)
        let steps = zip(p, p.dropFirst()).map { ($0.translation - $1.translation).norm }
        let mean = steps.reduce(0, +) / Double(steps.count)
        #expect(abs(mean * 10 - seq.route.length / 39.9) < 0.05 * mean * 10)
        #expect(steps.max()! < 1.01 * seq.route.length / 399 && steps.min()! > 0.7 * seq.route.length / 399)
        let revisits = seq.revisits()
        #expect(revisits.contains { $0.first < 5 && $0.second > 390 })
        if kind == .figureEight {  // the middle street is driven twice
            #expect(revisits.contains { $0.first > 50 && $0.second < 350 })
        }
    }

    @Test func reverseDriveRevisitsInTheOppositeDirection() throws {
        let seq = try SyntheticSequence(world: .canyon, trajectory: .reverse, camera: camera, frames: 100)
        #expect(seq.revisits().isEmpty)  // same place, but looking the other way
        #expect(!seq.revisits(maxAngle: Double.pi).isEmpty)
    }
}
