import Datasets
import Geometry
import Foundation
import Testing
import TestSupport

/// Inputs that used to give a silently wrong answer or a misleading message: each case names
/// what was wrong before.
@Suite struct InputCheckTests {
    /// Windows line ends: calib.txt read as one line ("'0.0e+00\r\nP1:' is not a number") before.
    @Test func kittiCalibrationWithCRLF() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.kitti(calib: "\(Fixture.p0)\r\n\(Fixture.p1)\r\n")
        let ds = try KITTIDataset(root: fx.root, sequence: "00")
        #expect(abs(ds.camera.baseline - 0.5) < 1e-12)
    }

    /// EuRoC data.csv and sensor.yaml with CRLF ("no images found" before).
    @Test func eurocWithCRLF() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.euroc(stamps0: [1000, 2000], stamps1: [1000, 2000], lineEnd: "\r\n")
        let ds = try EuRoCDataset(root: fx.root)
        #expect(ds.frameCount == 2 && ds.warnings.isEmpty)
    }

    /// A camera 1 ms off shares no time stamp: the message gives both counts ("has 0" before).
    @Test func eurocCamerasThatCannotBePaired() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.euroc(stamps0: [1000, 2000], stamps1: [1001, 2001])
        #expect { try EuRoCDataset(root: fx.root) } throws: { e in
            let text = "\(e)"
            return text.contains("cam1/data.csv") && text.contains("2 images") && text.contains("cannot be paired")
        }
    }

    /// One row missing in cam1: the frame is left out with a warning (silently before).
    @Test func eurocUnpairedFrameIsAnnounced() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.euroc(stamps0: [1000, 2000, 3000], stamps1: [1000, 3000])
        let ds = try EuRoCDataset(root: fx.root)
        #expect(ds.frameCount == 2)
        #expect(ds.warnings.count == 1 && ds.warnings[0].contains("2000"))
    }

    /// Out-of-order data.csv rows are an error naming the line.
    @Test func eurocTimeStampsMustIncrease() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.euroc(stamps0: [2000, 1000], stamps1: [2000, 1000])
        #expect { try EuRoCDataset(root: fx.root) } throws: { e in
            guard case let .malformed(p, 3, why) = e as? DatasetError else { return false }
            return p.hasSuffix("cam0/data.csv") && why.contains("not after")
        }
    }

    /// A duplicated or decreasing times.txt was copied into the trajectory before.
    @Test func kittiTimesMustIncrease() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.kitti(frames: 3)
        try fx.text("sequences/00/times.txt", "0.0\n0.1\n0.1\n")
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            "\(e)".contains("times.txt:3") && "\(e)".contains("not after")
        }
        try fx.text("sequences/00/times.txt", "0.0\n0.1\n")
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            "\(e)".hasSuffix("times.txt: 2 times for 3 frames (must be equal)")
        }
    }

    /// fx = 0 in P0 (line 1) was reported at line 2.
    @Test func zeroFocalLengthIsReportedOnItsLine() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.kitti(calib: "P0: 0 0 32 0 0 100 24 0 0 0 1 0\n\(Fixture.p1)\n")
        #expect { try KITTIDataset(root: fx.root, sequence: "00") } throws: { e in
            guard case let .calibration(_, 1, why) = e as? DatasetError else { return false }
            return why.contains("P0") && why.contains("focal length")
        }
    }

    /// A frame whose size changes was reported as "left and right images differ".
    @Test func aFrameOfAnotherSizeIsNamedAsSuch() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        try fx.kitti(frames: 2)
        try fx.image("sequences/00/image_0/000001.png", width: 80, height: 48)
        try fx.image("sequences/00/image_1/000001.png", width: 80, height: 48)
        let ds = try KITTIDataset(root: fx.root, sequence: "00")
        #expect { try ds.frame(1) } throws: { e in
            guard case let .imageSizeChanged(p, size, expected, _) = e as? DatasetError else { return false }
            return p.hasSuffix("image_0/000001.png") && size == "80×48" && expected == "64×48"
        }
    }

    /// An unknown key (a misspelt `baseline`) was ignored, leaving the default.
    @Test func genericCalibrationRefusesUnknownKeys() throws {
        let fx = try Fixture(); defer { fx.dir.cleanup() }
        for i in 0..<2 { try fx.image("left/\(i).png"); try fx.image("right/\(i).png") }
        try fx.text("calib.yaml", "fx: 100\ncx: 32\ncy: 24\nbaseline: 0.3\nbasline: 0.5\n")
        #expect { try GenericDataset(path: fx.root) } throws: { e in
            guard case let .malformed(_, 5, why) = e as? DatasetError else { return false }
            return why.contains("unknown key 'basline'") && why.contains("did you mean 'baseline'")
        }
    }

    /// Control characters quoted from a binary file are escaped.
    @Test func messagesEscapeControlCharacters() {
        #expect(printableText("a\u{1B}[31mb\u{0}c\nd") == "a\\u{1b}[31mb\\u{0}c\nd")
    }
}

extension Fixture {
    /// A two-camera EuRoC `mav0` with the given time stamps (ns) and line ends.
    func euroc(stamps0: [Int64], stamps1: [Int64], lineEnd: String = "\n") throws {
        let yaml = ["%YAML:1.0", "T_BS:", "  data: [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]", "resolution: [64, 48]",
                    "intrinsics: [50, 50, 32, 24]", "distortion_coefficients: [0, 0, 0, 0]"]
        for (cam, stamps, x) in [("cam0", stamps0, 0.0), ("cam1", stamps1, 0.1)] {
            for t in stamps { try image("mav0/\(cam)/data/\(t).png") }
            let rows = ["#timestamp [ns],filename"] + stamps.map { "\($0),\($0).png" }
            try text("mav0/\(cam)/data.csv", rows.joined(separator: lineEnd) + lineEnd)
            let shifted = yaml.map { $0.hasPrefix("  data") ? "  data: [1,0,0,\(x), 0,1,0,0, 0,0,1,0, 0,0,0,1]" : $0 }
            try text("mav0/\(cam)/sensor.yaml", shifted.joined(separator: lineEnd) + lineEnd)
        }
    }
}
