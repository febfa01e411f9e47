# Stands in for the `umqtt` package; sim_install.py attaches the `simple` module to it so that
# both `import umqtt.simple` and `from umqtt.simple import MQTTClient` work.
