# Stands in for the ESP8266 `esp` module, for the call boot scripts commonly make:
# `esp.osdebug(None)` silences the vendor SDK's debug log, which the simulation does not have.


def osdebug(uart):
    pass
