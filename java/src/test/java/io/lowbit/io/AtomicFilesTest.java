package io.lowbit.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private static void assumePosix() {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "POSIX permissions are not supported on this file system");
    }

    @Test
    void writesWholeFilesAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("sub/out.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        AtomicFiles.write(f, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "only the target is left in its directory");
        }
    }

    /** A temporary file is owner-only (0600); the written file must not be. */
    @Test
    void newFilesGetThePermissionsOfAPlainWrite() throws IOException {
        assumePosix();
        Path plain = dir.resolve("plain.bin");
        Files.write(plain, new byte[] {1});
        Path atomic = dir.resolve("atomic.bin");
        AtomicFiles.write(atomic, new byte[] {1});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    @Test
    void replacingAFileKeepsItsPermissions() throws IOException {
        assumePosix();
        Path f = dir.resolve("keep.bin");
        Files.write(f, new byte[] {1});
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.write(f, new byte[] {2});
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(f));
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(f));
    }
}
