import CVBridge
import Geometry

/// Intrinsics and radial-tangential distortion of one unrectified camera.
public struct DistortedCamera: Sendable, Equatable {
    public var fx, fy, cx, cy: Double
    /// k1, k2, p1, p2[, k3].
    public var distortion: [Double]

    public init(fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double]) {
        self.fx = fx; self.fy = fy; self.cx = cx; self.cy = cy; self.distortion = distortion
    }

    var bridge: cvb_camera {
        var c = cvb_camera()
        c.fx = fx; c.fy = fy; c.cx = cx; c.cy = cy
        let d = distortion + [Double](repeating: 0, count: max(0, 5 - distortion.count))
        c.distortion = (d[0], d[1], d[2], d[3], d[4])
        return c
    }
}

/// Stereo rectification of an unrectified pair (OpenCV's stereoRectify + remap in the bridge).
///
/// The rectified left camera is rotated from the original left camera by `leftRotation`:
/// `p_rect = R p_orig`, so the original camera's pose is `T_w_rect · SE3(R)`.
public final class StereoRectifier: @unchecked Sendable {
    // The bridge's maps are only read after creation, so sharing across threads is safe.
    private let handle: OpaquePointer
    /// The rectified stereo camera.
    public let camera: StereoCamera
    /// Rotation from the original left camera frame to the rectified left frame.
    public let leftRotation: SO3

    /// Builds the rectification. `rightFromLeft` maps left-camera points into the right camera.
    public init(left: DistortedCamera, right: DistortedCamera, rightFromLeft: SE3, width: Int, height: Int,
                source: String) throws(DatasetError) {
        var out = cvb_rectification()
        var err = cvb_error()
        let r = rightFromLeft.rotation.matrix.elements, t = rightFromLeft.translation
        var lc = left.bridge, rc = right.bridge
        let tt = [t.x, t.y, t.z]
        guard let h = cvb_rectifier_create(&lc, &rc, r, tt, Int32(width), Int32(height), &out, &err) else {
            throw .calibration(source, line: nil, "stereo rectification failed: \(bridgeMessage(err))")
        }
        handle = h
        camera = StereoCamera(fx: out.fx, fy: out.fy, cx: out.cx, cy: out.cy, baseline: out.baseline, width: width, height: height)
        let rl = withUnsafeBytes(of: out.r_left) { Array($0.bindMemory(to: Double.self)) }
        leftRotation = SO3(uncheckedMatrix: Mat3(rl))
    }

    deinit { cvb_rectifier_free(handle) }

    /// Rectifies one image of the pair (`side` 0 = left, 1 = right).
    public func rectify(_ image: GreyImage, side: Int, path: String) throws(DatasetError) -> GreyImage {
        guard image.width == camera.width, image.height == camera.height else {
            throw .imageSizeMismatch(left: "calibration", right: path, leftSize: "\(camera.width)×\(camera.height)", rightSize: image.sizeDescription)
        }
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        var err = cvb_error()
        let rc = image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                cvb_rectifier_apply(handle, Int32(side), src.baseAddress, dst.baseAddress, &err)
            }
        }
        guard rc == CVB_OK.rawValue else { throw .unreadableImage(path, bridgeMessage(err)) }
        return GreyImage(width: image.width, height: image.height, pixels: out)
    }
}
