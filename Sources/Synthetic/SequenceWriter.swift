import CVBridge
import Datasets
import Foundation
import Geometry
import Trajectories

/// The on-disk layouts a synthetic sequence can be written in: the same layouts the dataset
/// readers load, so that real and synthetic data go through one code path.
public enum SyntheticLayout: String, CaseIterable, Sendable {
    /// `sequences/XX/{image_0,image_1,depth_0,disp_0}`, `calib.txt`, `times.txt`, `poses/XX.txt`.
    case kitti
    /// TartanAir v1: `image_left/NNNNNN_left.png`, `image_right/…`, `depth_left/NNNNNN_left_depth.npy`,
    /// `pose_left.txt` (NED). Needs TartanAir's camera (640×480, f = 320, baseline 0.25 m).
    case tartanair
    /// EuRoC MAV: `mav0/cam{0,1}/{data/,data.csv,sensor.yaml}`, `mav0/state_groundtruth_estimate0/data.csv`,
    /// plus `mav0/depth0/data/<ns>.png`. The body frame is the left camera.
    case euroc
}

/// Writes a `SyntheticSequence` with its ground truth.
///
/// Frames are written one at a time and the pose, time and image-list files grow with them, so
/// an interrupted run leaves a valid, shorter sequence. Depth is written as 16-bit PNG in units of
/// 1/256 m (the KITTI depth convention; 0 = sky or beyond 255 m), TartanAir depth as float32 `.npy`,
/// disparity (KITTI layout) as 16-bit PNG in units of 1/256 px. `revisits.txt` lists the true
/// revisits (`first second distance_m`) when the sequence is complete.
public struct SequenceWriter: Sendable {
    public let sequence: SyntheticSequence
    public let layout: SyntheticLayout
    public let root: URL
    /// KITTI sequence name.
    public var sequenceName = "00"
    /// Also write depth (and, for KITTI, disparity) maps.
    public var writeDepth = true

    public init(sequence: SyntheticSequence, layout: SyntheticLayout, root: URL) throws(SyntheticError) {
        if layout == .tartanair {
            let c = sequence.camera
            guard c.width == 640, c.height == 480, c.fx == 320, c.fy == 320, c.cx == 320, c.cy == 240, c.baseline == 0.25 else {
                throw .badOption("the TartanAir layout has fixed intrinsics (640×480, f = 320, c = (320, 240), baseline 0.25 m); use --camera tartanair")
            }
        }
        self.sequence = sequence; self.layout = layout; self.root = root
    }

    /// Writes every frame; `progress(k)` is called after frame k is on disk.
    public func write(progress: (Int) -> Void = { _ in }) throws(SyntheticError) {
        let files = try prepare()
        defer { files.close() }
        for i in 0..<sequence.frameCount {
            let r = sequence.render(frame: i)
            try writeFrame(i, left: r.left, right: r.right, depth: r.depth)
            try files.append(frame: i)
            progress(i)
        }
        try writeRevisits()
    }

    /// Writes the calibration and the ground truth (poses, times, revisits) without rendering
    /// any image: the geometry of a sequence in milliseconds.
    public func writeGroundTruthOnly() throws(SyntheticError) {
        let files = try prepare()
        defer { files.close() }
        for i in 0..<sequence.frameCount { try files.append(frame: i) }
        try writeRevisits()
    }

    func writeRevisits() throws(SyntheticError) {
        let revisits = sequence.revisits().map { "\($0.first) \($0.second) \(String(format: "%.4f", $0.distance))\n" }.joined()
        try put(Data(("# first second distance_m (true revisits: camera centres within 2 m, views within 45°, ≥ 30 frames apart)\n" + revisits).utf8),
                revisitsURL)
    }

    var revisitsURL: URL {
        switch layout {
        case .kitti: root.appendingPathComponent("sequences/\(sequenceName)/revisits.txt")
        case .tartanair: root.appendingPathComponent("revisits.txt")
        case .euroc: root.appendingPathComponent("mav0/revisits.txt")
        }
    }

    // MARK: Per-layout files

    /// Nanosecond time stamp of frame i (EuRoC names files by it; starts at 1 s).
    func nanoseconds(_ i: Int) -> Int64 { Int64((1 + sequence.timestamps[i]) * 1e9 + 0.5) }

    func folder(_ path: String) throws(SyntheticError) -> URL {
        let url = root.appendingPathComponent(path)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .writeFailed(url.path, fileErrorReason(error))
        }
        return url
    }

    func put(_ data: Data, _ url: URL) throws(SyntheticError) {
        do { try data.write(to: url, options: .atomic) } catch { throw .writeFailed(url.path, fileErrorReason(error)) }
    }

    func image(_ img: GreyImage, _ url: URL) throws(SyntheticError) {
        do { try img.write(to: url) } catch { throw .writeFailed(url.path, error.description) }
    }

    /// A 16-bit PNG of `values · 256` (0 where the value is 0, not finite or too large).
    func fixedPoint16(_ values: [Float], _ url: URL) throws(SyntheticError) {
        let px = values.map { v -> UInt16 in
            let q = (Double(v) * 256).rounded()
            return q.isFinite && q > 0 && q <= 65535 ? UInt16(q) : 0
        }
        var err = cvb_error()
        let rc = px.withUnsafeBufferPointer {
            cvb_image_write(url.path, $0.baseAddress, Int32(sequence.camera.width), Int32(sequence.camera.height), 1, 16, &err)
        }
        guard rc == CVB_OK.rawValue else { throw .writeFailed(url.path, err.text) }
    }

    /// One file of a frame: an 8-bit image, values as 16-bit fixed point, or a float32 array.
    enum FrameFile: Sendable {
        case grey(GreyImage, URL)
        case fixed([Float], URL)
        case npy([Float], URL)
    }

    /// Writes the files on all cores (each is encoded independently); the first error, in the
    /// order given, is thrown once all have finished.
    func writeConcurrently(_ files: [FrameFile]) throws(SyntheticError) {
        let errors = ErrorSlots(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { k in
            do throws(SyntheticError) {
                switch files[k] {
                case let .grey(img, url): try image(img, url)
                case let .fixed(values, url): try fixedPoint16(values, url)
                case let .npy(values, url): try npy(values, url)
                }
            } catch { errors.set(k, error) }
        }
        if let first = errors.first { throw first }
    }

    /// A little-endian float32 NumPy array of shape (height, width).
    func npy(_ values: [Float], _ url: URL) throws(SyntheticError) {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(sequence.camera.height), \(sequence.camera.width)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        try put(data, url)
    }

    func writeFrame(_ i: Int, left: GreyImage, right: GreyImage, depth: [Float]) throws(SyntheticError) {
        let c = sequence.camera
        switch layout {
        case .kitti:
            let base = "sequences/\(sequenceName)/", name = String(format: "%06d.png", i)
            let fb = Float(c.fx * c.baseline)
            let l = try folder(base + "image_0").appendingPathComponent(name), r = try folder(base + "image_1").appendingPathComponent(name)
            let d = writeDepth ? try folder(base + "depth_0").appendingPathComponent(name) : nil
            let p = writeDepth ? try folder(base + "disp_0").appendingPathComponent(name) : nil
            var files: [FrameFile] = [.grey(left, l), .grey(right, r)]
            if let d, let p { files += [.fixed(depth, d), .fixed(depth.map { $0 > 0 ? fb / $0 : 0 }, p)] }
            try writeConcurrently(files)
        case .tartanair:
            let stem = String(format: "%06d", i)
            var files: [FrameFile] = [.grey(left, try folder("image_left").appendingPathComponent(stem + "_left.png")),
                                      .grey(right, try folder("image_right").appendingPathComponent(stem + "_right.png"))]
            if writeDepth { files.append(.npy(depth, try folder("depth_left").appendingPathComponent(stem + "_left_depth.npy"))) }
            try writeConcurrently(files)
        case .euroc:
            let name = "\(nanoseconds(i)).png"
            var files: [FrameFile] = [.grey(left, try folder("mav0/cam0/data").appendingPathComponent(name)),
                                      .grey(right, try folder("mav0/cam1/data").appendingPathComponent(name))]
            if writeDepth { files.append(.fixed(depth, try folder("mav0/depth0/data").appendingPathComponent(name))) }
            try writeConcurrently(files)
        }
    }
}

/// One error slot per concurrent write (each written by its own iteration only).
private final class ErrorSlots: @unchecked Sendable {
    private var slots: [SyntheticError?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ e: SyntheticError) { lock.lock(); slots[k] = e; lock.unlock() }
    var first: SyntheticError? { lock.lock(); defer { lock.unlock() }; return slots.compactMap { $0 }.first }
}
