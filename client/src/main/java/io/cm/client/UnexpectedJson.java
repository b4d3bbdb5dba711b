package io.cm.client;

/**
 * JSON that does not have the shape this client reads: a required field missing or of the wrong
 * type. The message names what is wrong; the caller says where (an answer, a live-stream record).
 */
final class UnexpectedJson extends Exception {

    UnexpectedJson(String what) {
        super(what);
    }
}
