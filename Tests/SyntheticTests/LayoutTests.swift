import Datasets
import Foundation
import Geometry
import Synthetic
import TestSupport
import Testing
import Trajectories

/// Synthetic sequences written in each layout load through the real-data readers, byte-identically
/// for a seed.
@Suite struct LayoutTests {
    func sequence(_ camera: CameraPreset = .vga, seed: UInt64 = 7, frames: Int = 3) throws -> SyntheticSequence {
        try SyntheticSequence(world: .canyon, trajectory: .loop, camera: camera.camera, frames: frames, seed: seed,
                              sensor: SensorModel(noise: 1, exposureChange: 0.1))
    }

    func files(in dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
        while let u = e?.nextObject() as? URL {
            if let d = FileManager.default.contents(atPath: u.path), !u.hasDirectoryPath {
                out[String(u.path.dropFirst(dir.path.count))] = d
            }
        }
        return out
    }

    func groundTruthMatches(_ loaded: Trajectory?, _ seq: SyntheticSequence) throws {
        let gt = try #require(loaded)
        #expect(gt.count == seq.frameCount)
        for (a, b) in zip(gt.poses, seq.poses) {
            #expect((a.translation - b.translation).norm < 1e-9 && (a.rotation.inverse * b.rotation).angle < 1e-9)
        }
    }

    @Test func kittiLayoutLoadsAndIsDeterministic() throws {
        let seq = try sequence()
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        defer { a.cleanup(); b.cleanup() }
        try SequenceWriter(sequence: seq, layout: .kitti, root: a.url).write()
        try SequenceWriter(sequence: try sequence(), layout: .kitti, root: b.url).write()
        let fa = files(in: a.url), fb = files(in: b.url)
        #expect(fa.count == 3 * 4 + 4 && fa == fb, "same seed, same bytes")
        let ds = try KITTIDataset(root: a.url, sequence: "00")
        #expect(ds.frameCount == 3 && ds.camera == seq.camera)
        try groundTruthMatches(ds.groundTruth, seq)
        let frame = try ds.frame(2), rendered = seq.render(frame: 2)
        #expect(frame.left == rendered.left && frame.right == rendered.right)
        // Another seed gives another world.
        let c = try TemporaryDirectory()
        defer { c.cleanup() }
        try SequenceWriter(sequence: try sequence(seed: 8), layout: .kitti, root: c.url).write()
        #expect(files(in: c.url)["/sequences/00/image_0/000000.png"] != fa["/sequences/00/image_0/000000.png"])
    }

    @Test func tartanAirLayoutLoadsWithItsNEDPoses() throws {
        let seq = try sequence(.tartanair)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try SequenceWriter(sequence: seq, layout: .tartanair, root: dir.url).write()
        let ds = try TartanAirDataset(root: dir.url)
        #expect(ds.frameCount == 3 && ds.camera == seq.camera)
        try groundTruthMatches(ds.groundTruth, seq)
        let npy = try #require(FileManager.default.contents(atPath: dir.url.appendingPathComponent("depth_left/000001_left_depth.npy").path))
        #expect(npy.count % 64 == (640 * 480 * 4) % 64 && npy.count > 640 * 480 * 4)
        // TartanAir's fixed intrinsics are enforced.
        #expect(throws: SyntheticError.self) { try SequenceWriter(sequence: try sequence(.vga), layout: .tartanair, root: dir.url) }
    }

    @Test func eurocLayoutLoadsThroughTheRectifier() throws {
        let seq = try sequence()
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try SequenceWriter(sequence: seq, layout: .euroc, root: dir.url).write()
        let ds = try EuRoCDataset(root: dir.url)
        #expect(ds.frameCount == 3)
        #expect(abs(ds.camera.baseline - seq.camera.baseline) < 1e-9)
        #expect(abs(ds.camera.fx - seq.camera.fx) / seq.camera.fx < 0.02)
        let gt = try #require(ds.groundTruth)
        #expect(gt.count == 3)
        for (a, b) in zip(gt.poses, seq.poses) { #expect((a.translation - b.translation).norm < 1e-9) }
    }

    @Test func badOptionsAreRefused() {
        let cam = CameraPreset.vga.camera
        #expect(throws: SyntheticError.self) { try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 0) }
        #expect(throws: SyntheticError.self) { try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 5, fps: 0) }
        #expect(throws: SyntheticError.self) { try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 5, speed: -1) }
        #expect(throws: SyntheticError.self) {
            try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 5, sensor: SensorModel(noise: .nan))
        }
        #expect(throws: SyntheticError.self) {
            try SyntheticSequence(world: .room, trajectory: .loop, camera: cam, frames: 5, sensor: SensorModel(shutter: 2))
        }
    }

    @Test func tooFewFramesForALoopAreWarnedAbout() throws {
        let cam = CameraPreset.vga.camera
        let fast = try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 40)
        let fine = try SyntheticSequence(world: .canyon, trajectory: .loop, camera: cam, frames: 300)
        #expect(fast.speedWarning?.contains("40 frames") == true)
        #expect(fine.speedWarning == nil)
    }

    @Test func sensorEffectsChangeTheImageButNotTheGeometry() throws {
        let cam = CameraPreset.vga.camera
        let ideal = try SyntheticSequence(world: .canyon, trajectory: .straight, camera: cam, frames: 3, sensor: .ideal)
        let blurred = try SyntheticSequence(world: .canyon, trajectory: .straight, camera: cam, frames: 3,
                                            sensor: SensorModel(noise: 2, exposureChange: 0.2, shutter: 0.5, blurSamples: 3))
        let a = ideal.render(frame: 1), b = blurred.render(frame: 1)
        #expect(a.depth == b.depth)
        #expect(a.left != b.left)
        var total = 0.0
        for (x, y) in zip(a.left.pixels, b.left.pixels) { total += abs(Double(x) - Double(y)) }
        let diff = total / Double(a.left.pixels.count)
        #expect(diff > 1 && diff < 40, "mean absolute difference \(diff)")
    }
}
