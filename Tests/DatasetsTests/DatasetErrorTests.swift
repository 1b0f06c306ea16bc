import Datasets
import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

/// Builds small datasets on disk for the layout and error tests.
struct Fixture {
    let dir: TemporaryDirectory
    var root: URL { dir.url }
    init() throws { dir = try TemporaryDirectory() }

    func image(_ relative: String, width: Int = 64, height: Int = 48, value: UInt8 = 90) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var img = GreyImage(width: width, height: height, value: value)
        for i in stride(from: 0, to: img.pixels.count, by: 7) { img.pixels[i] = 200 }
        try img.write(to: url)
    }

    func text(_ relative: String, _ content: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
    }

    static let p0 = "P0: 100 0 32 0 0 100 24 0 0 0 1 0"
    static let p1 = "P1: 100 0 32 -50 0 100 24 0 0 0 1 0"

    /// A KITTI sequence 00 with `n` frames.
    func kitti(frames n: Int = 3, calib: String = "\(p0)\n\(p1)\n", poses: Int? = nil) throws {
        for i in 0..<n {
            try image(String(format: "sequences/00/image_0/%06d.png", i))
            try image(String(format: "sequences/00/image_1/%06d.png", i))
        }
        try text("sequences/00/calib.txt", calib)
        if let poses {
            try text("poses/00.txt", String(repeating: "1 0 0 0 0 1 0 0 0 0 1 0\n", count: poses))
        }
    }
}

@Suite struct DatasetLayoutTests {
    @Test func kittiFixtureLoads() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 3, poses: 3)
        let ds = try DatasetKind.kitti.open(fx.root, sequence: "00")
        #expect(ds.frameCount == 3 && abs(ds.camera.baseline - 0.5) < 1e-12 && ds.groundTruth?.count == 3)
        #expect(try ds.frame(2).left.width == 64)
        #expect(throws: DatasetError.frameOutOfRange(3, count: 3)) { try ds.frame(3) }
    }

    @Test func tartanAirV1PosesAreConvertedFromNED() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        for i in 0..<2 {
            try fx.image(String(format: "image_left/%06d_left.png", i), width: 640, height: 480)
            try fx.image(String(format: "image_right/%06d_right.png", i), width: 640, height: 480)
        }
        // Second pose: 2 m forward in NED.
        try fx.text("pose_left.txt", "0 0 0 0 0 0 1\n2 0 0 0 0 0 1\n")
        let ds = try TartanAirDataset(root: fx.root)
        #expect(ds.version == .v1 && ds.camera.fx == 320 && ds.camera.cy == 240 && ds.camera.baseline == 0.25)
        let gt = try #require(ds.groundTruth)
        #expect((gt.poses[1].translation - Vec3(0, 0, 2)).norm < 1e-12)
    }

    @Test func genericFolderWithYAML() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        for i in 0..<4 { try fx.image("left/\(i).png"); try fx.image("right/\(i).png") }
        try fx.text("calib.yaml", "fx: 100\ncx: 32\ncy: 24\nbaseline: 0.3\nfps: 20\n")
        let ds = try GenericDataset(path: fx.root)
        #expect(ds.frameCount == 4 && ds.camera.fy == 100 && ds.timestamps[2] == 0.1)
    }
}

@Suite struct DatasetErrorTests {
    @Test func missingFolder() {
        #expect(throws: DatasetError.missingFolder("/nonexistent/sequences/00")) {
            try KITTIDataset(root: URL(fileURLWithPath: "/nonexistent"), sequence: "00")
        }
    }

    @Test func corruptImageNamesTheFile() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 2)
        let bad = fx.root.appendingPathComponent("sequences/00/image_1/000001.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: bad)
        let ds = try KITTIDataset(root: fx.root, sequence: "00")
        #expect { try ds.frame(1) } throws: { e in
            guard case let .unreadableImage(p, _) = e as? DatasetError else { return false }
            return p == bad.path
        }
    }

    @Test func leftAndRightSizesDiffer() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 1)
        try fx.image("sequences/00/image_1/000000.png", width: 60, height: 48)
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            guard case let .imageSizeMismatch(_, _, l, r) = e as? DatasetError else { return false }
            return l == "64×48" && r == "60×48"
        }
    }

    @Test func nonPositiveFocalLengthAndBaseline() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 1, calib: "P0: -100 0 32 0 0 100 24 0 0 0 1 0\nP1: -100 0 32 50 0 100 24 0 0 0 1 0\n")
        let calib = fx.root.appendingPathComponent("sequences/00/calib.txt").path
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            guard case let .calibration(p, _, why) = e as? DatasetError else { return false }
            return p == calib && why.contains("focal length")
        }
        try fx.text("sequences/00/calib.txt", "\(Fixture.p0)\nP1: 100 0 32 50 0 100 24 0 0 0 1 0\n")
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            guard case let .calibration(p, line, why) = e as? DatasetError else { return false }
            return p == calib && line == 2 && why.contains("baseline")
        }
    }

    @Test func malformedAndNaNCalibrationRows() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 1, calib: "\(Fixture.p0)\nP1: 100 0 32 -50 0 100 24\n")
        let calib = fx.root.appendingPathComponent("sequences/00/calib.txt").path
        #expect(throws: DatasetError.calibration(calib, line: 2, "row 'P1' has 7 numbers, expected 12")) {
            try KITTIDataset(root: fx.root, sequence: "00")
        }
        try fx.text("sequences/00/calib.txt", "\(Fixture.p0)\nP1: 100 0 nan -50 0 100 24 0 0 0 1 0\n")
        #expect(throws: DatasetError.calibration(calib, line: 2, "NaN or infinite value")) {
            try KITTIDataset(root: fx.root, sequence: "00")
        }
        try fx.text("sequences/00/calib.txt", "\(Fixture.p0)\n")
        #expect(throws: DatasetError.calibration(calib, line: nil, "missing row 'P1:'")) {
            try KITTIDataset(root: fx.root, sequence: "00")
        }
    }

    @Test func poseCountDiffersFromImageCount() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 3, poses: 2)
        #expect(throws: DatasetError.poseCountMismatch(fx.root.appendingPathComponent("poses/00.txt").path, poses: 2, frames: 3)) {
            try KITTIDataset(root: fx.root, sequence: "00")
        }
    }

    @Test func leftAndRightImageCountsDiffer() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        try fx.kitti(frames: 2)
        try FileManager.default.removeItem(at: fx.root.appendingPathComponent("sequences/00/image_1/000001.png"))
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            guard case let .frameCountMismatch(_, _, 2, 1) = e as? DatasetError else { return false }
            return true
        }
    }

    @Test func genericCalibrationErrorsNameTheLine() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        for i in 0..<2 { try fx.image("left/\(i).png"); try fx.image("right/\(i).png") }
        try fx.text("calib.yaml", "fx: 100\ncx: 32\ncy: 24\nbaseline: -0.3\n")
        let calib = fx.root.appendingPathComponent("calib.yaml").path
        #expect(throws: DatasetError.calibration(calib, line: 4, "stereo baseline must be positive (got -0.3 m)")) {
            try GenericDataset(path: fx.root)
        }
        try fx.text("calib.yaml", "fx: 100\ncy: 24\nbaseline: 0.3\n")
        #expect(throws: DatasetError.calibration(calib, line: nil, "missing 'cx'")) { try GenericDataset(path: fx.root) }
        try fx.text("calib.yaml", "fx: .nan\ncx: 1\ncy: 24\nbaseline: 0.3\n")
        #expect(throws: DatasetError.calibration(calib, line: 1, "'fx' must be a finite number")) { try GenericDataset(path: fx.root) }
    }

    @Test func eurocBadSensorYAML() throws {
        let fx = try Fixture()
        defer { fx.dir.cleanup() }
        for cam in ["cam0", "cam1"] {
            try fx.image("mav0/\(cam)/data/1000.png", width: 64, height: 48)
            try fx.text("mav0/\(cam)/data.csv", "#timestamp [ns],filename\n1000,1000.png\n")
            try fx.text("mav0/\(cam)/sensor.yaml", "%YAML:1.0\nT_BS:\n  data: [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]\nresolution: [64, 48]\nintrinsics: [0, 50, 32, 24]\ndistortion_coefficients: [0, 0, 0, 0]\n")
        }
        #expect { try EuRoCDataset(root: fx.root) } throws: { e in
            guard case let .calibration(p, _, why) = e as? DatasetError else { return false }
            return p.hasSuffix("cam0/sensor.yaml") && why.contains("focal length")
        }
    }
}
