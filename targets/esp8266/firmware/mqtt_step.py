# Keeps the connection alive within the keepalive, and reads subscribed messages.
c = mqtt_client()
if c is not None:
    try:
        FLOWC_READ_MESSAGES
        if time.ticks_diff(time.ticks_ms(), _mqtt_seen) > FLOWC_PING_AFTER_MS:
            c.ping()
            _mqtt_seen = time.ticks_ms()
    except Exception as x:
        mqtt_lost(x)
