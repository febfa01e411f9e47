# WiFi at boot: the access point off, then up to FLOWC_SETUP_WAIT_MS ms for the first connection.
global _wifi_next
# Not None: the first call connects, and is not reported as a link lost.
_wifi_next = time.ticks_ms()
try:
    network.WLAN(network.AP_IF).active(False)
except Exception as x:
    fault("wifi", x)
if wifi_up(FLOWC_SETUP_WAIT_MS):
    print("flowc: wifi connected", _sta.ifconfig()[0])
else:
    print("flowc: wifi not connected yet; sampling goes on and publishing waits")
