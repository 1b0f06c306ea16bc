// The C interface (`parallax.h`): a pipeline behind an opaque pointer. Every entry point checks
// its arguments and reports through the caller's error buffer instead of trapping: a robot's
// process must not die for a bad call.
import CParallax
import Datasets
import Geometry
import Odometry
import Pipeline

/// What `px_pipeline *` points to.
final class PipelineHandle {
    let camera: StereoCamera
    let pipeline: StereoPipeline
    /// The final result, once `px_finish` has run (later calls return it again).
    var finished: PipelineResult?

    init(camera: StereoCamera, pipeline: StereoPipeline) {
        self.camera = camera
        self.pipeline = pipeline
    }

    static func from(_ p: OpaquePointer?) -> PipelineHandle? {
        p.map { Unmanaged<PipelineHandle>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}

/// Copies `message` into the caller's buffer, NUL-terminated and truncated to `size` bytes
/// (whole characters only).
func report(_ message: String, _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int) {
    guard let buffer, size > 0 else { return }
    var count = 0
    for scalar in message.unicodeScalars {
        let bytes = Array(String(scalar).utf8)
        guard count + bytes.count <= size - 1 else { break }
        for b in bytes { buffer[count] = CChar(bitPattern: b); count += 1 }
    }
    buffer[count] = 0
}

@_cdecl("px_create")
public func pxCreate(_ camera: UnsafePointer<px_camera>?, _ configYAML: UnsafePointer<CChar>?,
                     _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> OpaquePointer? {
    guard let c = camera?.pointee else { report("px_create: camera is NULL", errorBuffer, errorSize); return nil }
    guard c.width > 0, c.height > 0, c.width <= 1 << 15, c.height <= 1 << 15 else {
        report("px_create: image size \(c.width)×\(c.height) is not allowed (1…32768 each)", errorBuffer, errorSize); return nil
    }
    let finite = [c.fx, c.fy, c.cx, c.cy, c.baseline].allSatisfy(\.isFinite)
    guard finite, c.fx > 0, c.fy > 0, c.baseline > 0 else {
        report("px_create: fx, fy and baseline must be positive and finite, cx and cy finite (got fx \(c.fx), fy \(c.fy), cx \(c.cx), cy \(c.cy), baseline \(c.baseline))", errorBuffer, errorSize)
        return nil
    }
    let stereo = StereoCamera(fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy, baseline: c.baseline, width: Int(c.width), height: Int(c.height))
    do {
        let config = try configYAML.map { try PipelineConfig(yaml: String(cString: $0)) } ?? PipelineConfig()
        let handle = PipelineHandle(camera: stereo, pipeline: try StereoPipeline(camera: stereo, config: config))
        return OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    } catch {
        report("\(error)", errorBuffer, errorSize)
        return nil
    }
}

@_cdecl("px_process")
public func pxProcess(_ p: OpaquePointer?, _ left: UnsafePointer<UInt8>?, _ right: UnsafePointer<UInt8>?, _ stride: Int,
                      _ timestamp: Double, _ out: UnsafeMutablePointer<px_frame>?,
                      _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> Int32 {
    guard let handle = PipelineHandle.from(p) else { report("px_process: pipeline is NULL", errorBuffer, errorSize); return 1 }
    guard let left, let right else { report("px_process: an image is NULL", errorBuffer, errorSize); return 1 }
    guard let out else { report("px_process: out is NULL", errorBuffer, errorSize); return 1 }
    let w = handle.camera.width, h = handle.camera.height
    guard stride >= w else { report("px_process: stride \(stride) is less than the image width \(w)", errorBuffer, errorSize); return 1 }
    guard timestamp.isFinite else { report("px_process: timestamp is not finite", errorBuffer, errorSize); return 1 }
    guard handle.finished == nil else { report("px_process: the pipeline has finished (px_finish was called)", errorBuffer, errorSize); return 1 }
    func image(_ base: UnsafePointer<UInt8>) -> GreyImage {
        var pixels = [UInt8](repeating: 0, count: w * h)
        pixels.withUnsafeMutableBufferPointer { dst in
            for row in 0..<h { (dst.baseAddress! + row * w).update(from: base + row * stride, count: w) }
        }
        return GreyImage(width: w, height: h, pixels: pixels)
    }
    do {
        let f = try handle.pipeline.process(left: image(left), right: image(right), timestamp: timestamp)
        var frame = px_frame()
        frame.frame = Int64(f.index)
        frame.timestamp = f.timestamp
        frame.state = Int32(stateCode(f.state))
        frame.loops = Int32(clamping: f.loops)
        withUnsafeMutableBytes(of: &frame.pose) { fill($0, rowMajor(f.pose)) }
        withUnsafeMutableBytes(of: &frame.corrected_pose) { fill($0, rowMajor(f.correctedPose)) }
        withUnsafeMutableBytes(of: &frame.covariance) { fill($0, (0..<36).map { f.covariance[$0 / 6, $0 % 6] }) }
        out.pointee = frame
        return 0
    } catch {
        report("px_process: frame \(handle.pipeline.framesProcessed): \(error)", errorBuffer, errorSize)
        return 1
    }
}

@_cdecl("px_finish")
public func pxFinish(_ p: OpaquePointer?, _ poses: UnsafeMutablePointer<Double>?, _ capacity: Int64,
                     _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> Int64 {
    guard let handle = PipelineHandle.from(p) else { report("px_finish: pipeline is NULL", errorBuffer, errorSize); return -1 }
    guard capacity >= 0 else { report("px_finish: capacity \(capacity) is negative", errorBuffer, errorSize); return -1 }
    guard poses != nil || capacity == 0 else { report("px_finish: poses is NULL with capacity \(capacity)", errorBuffer, errorSize); return -1 }
    do {
        let result = try handle.finished ?? handle.pipeline.finish()
        handle.finished = result
        let n = min(Int64(result.correctedPoses.count), capacity)
        if let poses {
            for i in 0..<Int(n) {
                let m = rowMajor(result.correctedPoses[i])
                for j in 0..<16 { poses[16 * i + j] = m[j] }
            }
        }
        return n
    } catch {
        report("px_finish: \(error)", errorBuffer, errorSize)
        return -1
    }
}

@_cdecl("px_destroy")
public func pxDestroy(_ p: OpaquePointer?) {
    guard let p else { return }
    Unmanaged<PipelineHandle>.fromOpaque(UnsafeRawPointer(p)).release()
}

private func stateCode(_ s: TrackingState) -> Int {
    switch s {
    case .initialised: return Int(PX_STATE_INITIALISED)
    case .tracking: return Int(PX_STATE_TRACKING)
    case .keyframe: return Int(PX_STATE_KEYFRAME)
    case .lost: return Int(PX_STATE_LOST)
    }
}

private func fill(_ dst: UnsafeMutableRawBufferPointer, _ values: [Double]) {
    let d = dst.bindMemory(to: Double.self)
    for (i, v) in values.enumerated() where i < d.count { d[i] = v }
}

/// A pose as the 16 entries of its 4×4 matrix, row-major.
private func rowMajor(_ pose: SE3) -> [Double] { pose.matrix3x4 + [0, 0, 0, 1] }
