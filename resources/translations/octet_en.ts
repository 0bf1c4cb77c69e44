<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>EngineSection</name>
    <message numerus="yes">
        <source>Connected: the server has %n model(s).</source>
        <translation>
            <numerusform>Connected: the server has %n model.</numerusform>
            <numerusform>Connected: the server has %n models.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>The %n oldest message(s) were left out so the conversation fits the context window.</source>
        <translation>
            <numerusform>%n old message was left out so the conversation fits the context window.</numerusform>
            <numerusform>%n old messages were left out so the conversation fits the context window.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>about %n min left</numerusform>
            <numerusform>about %n min left</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message numerus="yes">
        <source>%n conversation(s) exported.</source>
        <translation>
            <numerusform>%n conversation exported.</numerusform>
            <numerusform>%n conversations exported.</numerusform>
        </translation>
    </message>
</context>
</TS>
