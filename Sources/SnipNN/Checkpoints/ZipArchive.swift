/// The members of a zip archive (as `torch.save` writes them: stored, uncompressed, possibly
/// ZIP64), located in a memory-mapped file without copying.
///
/// Every offset and length comes from the file, so every one is checked against the file's
/// size before use, by subtraction (`length <= count - offset`) so that values near 2^63 cannot
/// overflow the check.
struct ZipArchive {
    struct Member {
        let name: String
        /// Byte range of the member's data in the file.
        let range: Range<Int>
    }

    let file: MappedFile
    let members: [String: Member]

    /// Most members an archive may list (a checkpoint has one per tensor storage).
    static let maxMembers = 1_000_000

    init(_ file: MappedFile) throws(CheckpointError) {
        self.file = file
        let path = file.path
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason) }
        /// Whether `length` bytes at `offset` lie inside the file.
        func inside(_ offset: Int, _ length: Int) -> Bool {
            offset >= 0 && length >= 0 && offset <= file.count && length <= file.count - offset
        }
        func read<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, _ what: String) throws(CheckpointError) -> T {
            guard inside(offset, MemoryLayout<T>.size) else {
                throw fail("truncated or corrupt zip archive: \(what) at byte \(offset) lies beyond the end of the file")
            }
            return file.read(type, at: offset)
        }
        /// A 64-bit field as an offset or size; values of 2^63 and above cannot be one.
        func read64(at offset: Int, _ what: String) throws(CheckpointError) -> Int {
            let raw = try read(UInt64.self, at: offset, what)
            guard let value = Int(exactly: raw) else {
                throw fail("corrupt zip64 archive: \(what) \(raw) is beyond any file size")
            }
            return value
        }
        // End of central directory: the last 0x06054b50 signature within 64 KiB of the end.
        guard file.count >= 22 else { throw fail("truncated: too short for a zip archive") }
        var eocd = -1
        var position = file.count - 22
        let lowest = max(0, file.count - 22 - 65_535)
        while position >= lowest {
            if file.read(UInt32.self, at: position) == 0x0605_4b50 {
                eocd = position
                break
            }
            position -= 1
        }
        guard eocd >= 0 else { throw fail("not a zip archive, or truncated (no end-of-directory record)") }
        var entryCount = Int(file.read(UInt16.self, at: eocd + 10))
        var directorySize = Int(file.read(UInt32.self, at: eocd + 12))
        var directoryOffset = Int(file.read(UInt32.self, at: eocd + 16))
        if directoryOffset == 0xFFFF_FFFF || entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF {
            // ZIP64: the locator sits just before the end record
            let locator = eocd - 20
            guard locator >= 0, file.read(UInt32.self, at: locator) == 0x0706_4b50 else {
                throw fail("corrupt zip64 archive (no locator)")
            }
            let record = try read64(at: locator + 8, "the zip64 end record's offset")
            guard inside(record, 56), file.read(UInt32.self, at: record) == 0x0606_4b50 else {
                throw fail("corrupt zip64 archive (bad end record)")
            }
            entryCount = try read64(at: record + 32, "the entry count")
            directorySize = try read64(at: record + 40, "the directory size")
            directoryOffset = try read64(at: record + 48, "the directory offset")
        }
        guard inside(directoryOffset, directorySize) else {
            throw fail("truncated: the zip directory lies beyond the end of the file")
        }
        guard entryCount <= Self.maxMembers else {
            throw fail("corrupt zip archive: \(entryCount) members announced (at most \(Self.maxMembers))")
        }
        var members: [String: Member] = [:]
        var cursor = directoryOffset
        for _ in 0..<entryCount {
            guard inside(cursor, 46), file.read(UInt32.self, at: cursor) == 0x0201_4b50 else {
                throw fail("corrupt zip directory at byte \(cursor)")
            }
            let method = file.read(UInt16.self, at: cursor + 10)
            var compressedSize = Int(file.read(UInt32.self, at: cursor + 20))
            var size = Int(file.read(UInt32.self, at: cursor + 24))
            let nameLength = Int(file.read(UInt16.self, at: cursor + 28))
            let extraLength = Int(file.read(UInt16.self, at: cursor + 30))
            let commentLength = Int(file.read(UInt16.self, at: cursor + 32))
            var localOffset = Int(file.read(UInt32.self, at: cursor + 42))
            guard inside(cursor + 46, nameLength + extraLength) else { throw fail("truncated zip directory") }
            let name = String(decoding: file.bytes(cursor + 46..<cursor + 46 + nameLength), as: UTF8.self)
            // ZIP64 extended information replaces the fields that read 0xFFFFFFFF, in order
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let tag = file.read(UInt16.self, at: extra)
                let length = Int(file.read(UInt16.self, at: extra + 2))
                if tag == 0x0001 {
                    var field = extra + 4
                    let fieldEnd = min(extra + 4 + length, extraEnd)
                    func next() throws(CheckpointError) -> Int {
                        guard field + 8 <= fieldEnd else {
                            throw CheckpointError(path: path, key: name, "corrupt zip64 extra field (too short)")
                        }
                        defer { field += 8 }
                        return try read64(at: field, "a zip64 size or offset")
                    }
                    if size == 0xFFFF_FFFF { size = try next() }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                extra += 4 + length
            }
            cursor = extraEnd + commentLength
            guard inside(localOffset, 30), file.read(UInt32.self, at: localOffset) == 0x0403_4b50 else {
                throw CheckpointError(path: path, key: name, "corrupt zip member header")
            }
            let start = localOffset + 30 + Int(file.read(UInt16.self, at: localOffset + 26))
                + Int(file.read(UInt16.self, at: localOffset + 28))
            guard method == 0 else {
                throw CheckpointError(path: path, key: name, "compressed zip members are not supported (method \(method)); torch.save writes them uncompressed")
            }
            guard compressedSize == size, inside(start, size) else {
                throw CheckpointError(path: path, key: name, "truncated: member data runs past the end of the file")
            }
            members[name] = Member(name: name, range: start..<start + size)
        }
        self.members = members
    }
}
