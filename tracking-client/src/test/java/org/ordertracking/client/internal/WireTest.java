package org.ordertracking.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.ordertracking.client.Fix;
import org.ordertracking.client.Instruction;

class WireTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parseFrame_assignmentUnassignedCancelled_areInstructions() {
        assertEquals(new Instruction(Instruction.Type.ASSIGNMENT, "o-1"),
                ((Wire.InstructionFrame) Wire.parseFrame("{\"type\":\"assignment\",\"order_id\":\"o-1\"}")).instruction());
        assertEquals(new Instruction(Instruction.Type.UNASSIGNED, "o-2"),
                ((Wire.InstructionFrame) Wire.parseFrame("{\"type\":\"unassigned\",\"order_id\":\"o-2\",\"new\":1}")).instruction());
        assertEquals(new Instruction(Instruction.Type.CANCELLED, "o-3"),
                ((Wire.InstructionFrame) Wire.parseFrame("{\"order_id\":\"o-3\",\"type\":\"cancelled\"}")).instruction());
    }

    @Test
    void parseFrame_instructionWithoutOrderId_orUnknownType_isIgnoredNotFatal() {
        assertInstanceOf(Wire.Unknown.class, Wire.parseFrame("{\"type\":\"cancelled\"}"));
        assertInstanceOf(Wire.Unknown.class, Wire.parseFrame("{\"type\":\"cancelled\",\"order_id\":\" \"}"));
        assertInstanceOf(Wire.Unknown.class, Wire.parseFrame("{\"type\":\"cancelled\",\"order_id\":7}"));
        assertInstanceOf(Wire.Unknown.class, Wire.parseFrame("{\"type\":\"weather\",\"order_id\":\"o-1\"}"));
        assertInstanceOf(Wire.Unknown.class, Wire.parseFrame("not json"));
        assertInstanceOf(Wire.Unknown.class, Wire.parseFrame("[1]"));
    }

    @Test
    void parseFrame_ackAndErrors() {
        assertEquals(new Wire.Ack(Instant.parse("2026-12-01T10:00:05Z")),
                Wire.parseFrame("{\"type\":\"ack\",\"up_to\":\"2026-12-01T10:00:05Z\"}"));
        Wire.Error batchFix = (Wire.Error) Wire.parseFrame(
                "{\"type\":\"error\",\"code\":\"too_old\",\"message\":\"fix 12: recorded_at is old\"}");
        assertEquals(12, batchFix.index());
        assertEquals("recorded_at is old", batchFix.message());
        assertTrue(batchFix.isFixRejection());
        Wire.Error indexed = (Wire.Error) Wire.parseFrame(
                "{\"type\":\"error\",\"code\":\"gps_jump\",\"index\":4,\"message\":\"implies 900 km/h\"}");
        assertEquals(4, indexed.index());
        Wire.Error frame = (Wire.Error) Wire.parseFrame(
                "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"more than 30 messages\"}");
        assertEquals(-1, frame.index());
        assertFalse(frame.isFixRejection());
    }

    @Test
    void parseBatchAnswer_readsAppliedRejectedAndUpTo() throws Exception {
        Wire.BatchAnswer a = Wire.parseBatchAnswer(
                "{\"applied\":2,\"rejected\":[{\"index\":1,\"reason\":\"gps_jump\"}],\"up_to\":\"2026-12-01T10:00:02Z\"}");
        assertEquals(2, a.applied());
        assertEquals(List.of(new Wire.Rejection(1, "gps_jump")), a.rejected());
        assertEquals(Instant.parse("2026-12-01T10:00:02Z"), a.upTo());
        assertNull(Wire.parseBatchAnswer("{\"applied\":0,\"rejected\":[],\"up_to\":null}").upTo());
    }

    @Test
    void gzippedBatch_isTheServersFixShape_withAbsentOptionalFieldsLeftOut() throws Exception {
        Fix full = new Fix(33.9, 35.5, 4.5, 180.0, 7.25, Instant.parse("2026-12-01T10:00:00.123Z"));
        Fix bare = Fix.of(-33.9, -70.6, Instant.parse("2026-12-01T10:00:01Z"));
        byte[] gz = Wire.gzippedBatch(List.of(new Journal.Entry(1, full), new Journal.Entry(2, bare)));
        JsonNode body = JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(gz)));
        assertEquals(JSON.readTree("{\"fixes\":[{\"lat\":33.9,\"lon\":35.5,\"accuracy\":4.5,\"heading\":180.0,"
                + "\"speed\":7.25,\"recorded_at\":\"2026-12-01T10:00:00.123Z\"},"
                + "{\"lat\":-33.9,\"lon\":-70.6,\"recorded_at\":\"2026-12-01T10:00:01Z\"}]}"), body);
    }

    @Test
    void frame_isLocationForOneFix_andBatchForMore() throws Exception {
        Journal.Entry a = new Journal.Entry(1, Fix.of(33.9, 35.5, Instant.parse("2026-12-01T10:00:00Z")));
        Journal.Entry b = new Journal.Entry(2, Fix.of(33.9, 35.6, Instant.parse("2026-12-01T10:00:01Z")));
        assertEquals("location", JSON.readTree(Wire.frame(List.of(a))).get("type").asText());
        JsonNode batch = JSON.readTree(Wire.frame(List.of(a, b)));
        assertEquals("batch", batch.get("type").asText());
        assertEquals(2, batch.get("fixes").size());
    }
}
