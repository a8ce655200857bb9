package io.pgkb.testkit.internal;

import io.pgkb.testkit.ChildJvm;
import io.pgkb.testkit.LocalS3;

/**
 * Entry point of a child JVM serving {@link LocalS3}: {@code <bucket>...} are created, then the endpoint is printed
 * as {@code endpoint=<uri>} on stdout. It halts when the parent JVM is gone.
 */
public final class S3ChildMain {
    private S3ChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.haltWhenParentGone();
        LocalS3 s3 = LocalS3.start();
        for (String bucket : args) {
            s3.createBucket(bucket);
        }
        System.out.println("endpoint=" + s3.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }
}
