# Stands in for micropython-lib's `umqtt.simple`, with its API and its failure modes: network
# errors raise OSError, a refused CONNACK raises MQTTException, using a client that never
# connected fails on its missing socket, and QoS 2 publishing is unsupported. The session itself
# is kept by mqtt-model.ts, which records publishes or forwards them to a real broker.

from sim_support import bridge, text, from_hex


class MQTTException(Exception):
    pass


def _check(status):
    if status:
        raise OSError(status)


class MQTTClient:
    def __init__(
        self,
        client_id,
        server,
        port=0,
        user=None,
        password=None,
        keepalive=0,
        ssl=False,
        ssl_params={},
    ):
        if port == 0:
            port = 8883 if ssl else 1883
        self.client_id = client_id
        self.sock = None  # the bridge's session handle once connected
        self.server = server
        self.port = port
        self.ssl = ssl
        self.ssl_params = ssl_params
        self.pid = 0
        self.cb = None
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.lw_topic = None
        self.lw_msg = None
        self.lw_qos = 0
        self.lw_retain = False

    def _socket(self):
        if self.sock is None:
            raise AttributeError("'NoneType' object has no attribute 'write'")
        return self.sock

    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        assert 0 <= qos <= 2
        assert topic
        self.lw_topic = topic
        self.lw_msg = msg
        self.lw_qos = qos
        self.lw_retain = retain

    def connect(self, clean_session=True):
        will_topic = None
        will_msg = None
        will_hex = False
        if self.lw_topic:
            will_topic = text(self.lw_topic)[0]
            will_msg, will_hex = text(self.lw_msg)
        result = bridge.mqtt_connect(
            text(self.client_id)[0],
            self.server,
            self.port,
            self.user,
            self.pswd,
            self.keepalive,
            bool(self.ssl),
            bool(clean_session),
            will_topic,
            will_msg,
            will_hex,
            self.lw_qos,
            bool(self.lw_retain),
        )
        if result < 0:
            raise OSError(-result)
        if result >= 0x10000:  # CONNACK refused; the low byte is the return code
            raise MQTTException(result & 0xFF)
        self.sock = result
        return 0

    def disconnect(self):
        _check(bridge.mqtt_disconnect(self._socket()))

    def ping(self):
        _check(bridge.mqtt_ping(self._socket()))

    def publish(self, topic, msg, retain=False, qos=0):
        sock = self._socket()
        if qos == 2:
            assert 0  # umqtt.simple does not implement QoS 2
        payload, is_hex = text(msg)
        _check(bridge.mqtt_publish(sock, text(topic)[0], payload, is_hex, bool(retain), qos))

    def subscribe(self, topic, qos=0):
        assert self.cb is not None, "Subscribe callback is not set"
        _check(bridge.mqtt_subscribe(self._socket(), text(topic)[0], qos))

    def wait_msg(self):
        # The harness cannot block for the network inside a synchronous call, so an empty inbox
        # reads as a socket timeout rather than hanging the test.
        message = bridge.mqtt_poll(self._socket(), True)
        return self._dispatch(message)

    def check_msg(self):
        return self._dispatch(bridge.mqtt_poll(self._socket(), False))

    def _dispatch(self, message):
        if isinstance(message, int):
            _check(message)
            return None
        topic = message[0].encode()
        if message[2]:
            payload = from_hex(message[1])
        else:
            payload = message[1].encode()
        self.cb(topic, payload)
