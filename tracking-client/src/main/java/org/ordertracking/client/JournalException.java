package org.ordertracking.client;

import java.io.IOException;

/**
 * The journal could not write to or read from local storage (disk full, I/O error, directory gone).
 * Thrown by {@link DriverClient#record(Fix)} when the fix could not be written: that fix is NOT
 * recorded; every fix whose {@code record} returned before stays recorded.
 *
 * @since 0.1.0
 */
public class JournalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalException(String message, IOException cause) {
        super(message, cause);
    }

    @Override
    public synchronized IOException getCause() {
        return (IOException) super.getCause();
    }
}
